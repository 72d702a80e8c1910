// The debugger prompt's line editor, fed keystroke bytes as a terminal in
// raw mode sends them; and the empty line that repeats the last step.
#include "cli/line_editor.hpp"
#include "pxos/vm/debugger.hpp"

#include <catch2/catch.hpp>

using pxos::cli::LineEditor;

namespace {

// Feeds every byte; returns the last event.
LineEditor::Event type(LineEditor& editor, std::string_view bytes)
{
    LineEditor::Event event = LineEditor::Event::Edited;
    for (char byte : bytes)
        event = editor.feed(byte);
    return event;
}

} // namespace

TEST_CASE("the line editor inserts at the cursor, moves with arrows and Ctrl-A/E, deletes with Backspace",
    "[debugger][line-editor]")
{
    LineEditor editor;
    CHECK(type(editor, "stpe") == LineEditor::Event::Edited);
    CHECK(editor.line() == "stpe");
    CHECK(editor.cursor() == 4);
    type(editor, "\x1b[D\x1b[D\x7f"); // Left Left Backspace: "sp|e" -> "s|pe"
    CHECK(editor.line() == "spe");
    CHECK(editor.cursor() == 1);
    type(editor, "te\x1b[C\x1b[C\x7fp"); // "ste|pe" -> Right Right -> "stepe|" -> Backspace -> "step|" + p
    CHECK(editor.line() == "stepp");
    type(editor, "\x01x\x05y"); // Ctrl-A x, Ctrl-E y
    CHECK(editor.line() == "xsteppy");
    type(editor, "\x1b[H\x1b[3~\x1b[F\x7f\x7f"); // Home, Delete, End, Backspace twice
    CHECK(editor.line() == "step");
    type(editor, "\x02\x02\x0b"); // Ctrl-B twice, Ctrl-K: kill to the end
    CHECK(editor.line() == "st");
    type(editor, "\x15"); // Ctrl-U: kill to the start
    CHECK(editor.line().empty());
    CHECK(editor.cursor() == 0);
    // Only printable ASCII goes in; an unknown escape sequence and a tab do nothing.
    type(editor, "a\tb\x1b[Z\xc3\xa9" "c");
    CHECK(editor.line() == "abc");
    CHECK(editor.render("(pxdb) ") == "\r(pxdb) abc\x1b[K");
    type(editor, "\x1b[D\x1b[D");
    CHECK(editor.render("(pxdb) ") == "\r(pxdb) abc\x1b[K\x1b[2D");
}

TEST_CASE("the line editor keeps a history: Up and Down walk it and come back to the line being typed",
    "[debugger][line-editor]")
{
    LineEditor editor;
    CHECK(type(editor, "step\r") == LineEditor::Event::Submitted);
    CHECK(editor.line() == "step");
    editor.start_line();
    type(editor, "regs\r");
    editor.start_line();
    type(editor, "regs\r"); // a repeat is kept once
    editor.start_line();
    type(editor, "\r"); // an empty line is not kept
    CHECK(editor.history() == std::deque<std::string> { "step", "regs" });
    editor.start_line();
    type(editor, "wh");
    type(editor, "\x1b[A");
    CHECK(editor.line() == "regs");
    type(editor, "\x1b[A\x1b[A"); // stops at the oldest
    CHECK(editor.line() == "step");
    CHECK(editor.cursor() == 4);
    type(editor, "\x0e"); // Ctrl-N
    CHECK(editor.line() == "regs");
    type(editor, "\x1b[B");
    CHECK(editor.line() == "wh"); // the draft again
    type(editor, "\x1bOA"); // Up as an application-mode terminal sends it
    CHECK(editor.line() == "regs");
    CHECK(type(editor, "\n") == LineEditor::Event::Submitted);
    editor.start_line();
    CHECK(type(editor, "x\x03") == LineEditor::Event::Cancelled);
    editor.start_line();
    CHECK(type(editor, "a\x04") == LineEditor::Event::Edited); // Ctrl-D on a line: delete at the cursor (none)
    type(editor, "\x15");
    CHECK(type(editor, "\x04") == LineEditor::Event::EndOfInput); // Ctrl-D on an empty line
}

TEST_CASE("the line editor is bounded: line length, history and escape sequences", "[debugger][line-editor]")
{
    LineEditor editor;
    type(editor, std::string(LineEditor::kMaxLine + 50, 'x'));
    CHECK(editor.line().size() == LineEditor::kMaxLine);
    for (std::size_t i = 0; i < LineEditor::kMaxHistory + 10; ++i) {
        editor.start_line();
        type(editor, "step " + std::to_string(i) + "\r");
    }
    CHECK(editor.history().size() == LineEditor::kMaxHistory);
    CHECK(editor.history().front() == "step 10");
    editor.start_line();
    type(editor, "\x1b[111111111111A"); // too long: dropped, and what follows it is typed again
    type(editor, "z");
    CHECK(editor.line().find('z') != std::string::npos);
    CHECK(editor.line().find("step") == std::string::npos);
}

TEST_CASE("at the prompt an empty line repeats the last step, next or continue, with its count", "[debugger]")
{
    std::string last;
    CHECK(pxos::line_to_run("", last).empty()); // nothing to repeat yet
    CHECK(pxos::line_to_run("step 3", last) == "step 3");
    CHECK(pxos::line_to_run("", last) == "step 3");
    CHECK(pxos::line_to_run("regs", last) == "regs");
    CHECK(pxos::line_to_run("   ", last) == "step 3"); // regs in between is not repeated
    CHECK(pxos::line_to_run("c", last) == "c");
    CHECK(pxos::line_to_run("", last) == "c");
    CHECK(pxos::line_to_run("n", last) == "n");
    CHECK(pxos::line_to_run("", last) == "n");
}
