// What the loop accepts from an LLM (pxos/loop/reply.hpp): SEARCH/REPLACE
// patches on the default roadmap's kernel, an included kernel file and a
// program library (inlined, and the result builds and boots with full
// gates), patches that do not apply (the block, why, the nearest text),
// unknown sources, the fence chosen, the rationale, edits' errors at their
// lines in the reply naming the step.
#include "loop/loop_support.hpp"
#include "pxos/loop/reply.hpp"

#include "builtin_steps.hpp"
#include "pxos/eval/evaluator.hpp"
#include "pxos/host/posix/shell_llm_client.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/loop/loop.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/vm/machine.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

struct Parent {
    pxos::Roadmap roadmap;
    std::vector<pxos::RoadmapSource> sources;
    std::string folder;
};

Parent parent_of(const pxos::Roadmap& roadmap, const std::string& folder)
{
    auto sources = pxos::roadmap_sources(roadmap, pxos::test::files());
    REQUIRE(sources);
    return { roadmap, std::move(*sources), folder };
}

// The default roadmap, as the loop's parent.
const Parent& default_parent()
{
    static const Parent parent = [] {
        std::string path = pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml");
        auto roadmap = pxos::load_roadmap(pxos::test::files(), path, pxos::steps::builtin_registry());
        REQUIRE(roadmap);
        return parent_of(*roadmap, std::filesystem::path(path).parent_path().string());
    }();
    return parent;
}

// A small parent: a kernel and one process with inline source.
const Parent& small_parent()
{
    static const Parent parent = [] {
        auto roadmap = pxos::parse_roadmap("steps:\n  - step: layout_regions\n  - step: install_kernel\n"
                                           "    params: {quantum: 1000}\n  - step: add_process\n"
                                           "    params:\n      program_source: \"main:\\n    LI r1, 5\\n    LI r2, 7\\n"
                                           "    ADD r1, r1, r2\\n    LI r1, 5\\n    SYSCALL SYS_EXIT\\n\"\n",
            "small.yaml", pxos::steps::builtin_registry());
        REQUIRE(roadmap);
        return parent_of(*roadmap, ".");
    }();
    return parent;
}

pxos::Result<pxos::AcceptedReply> parse(const std::string& reply, const Parent& parent)
{
    pxos::ReplyContext context { &parent.roadmap, &parent.sources, &pxos::steps::builtin_registry(),
        &pxos::test::files(), parent.folder, {} };
    return pxos::parse_reply(reply, context);
}

std::string errors_of(const pxos::Result<pxos::AcceptedReply>& result)
{
    REQUIRE_FALSE(result.ok());
    std::string text;
    for (const pxos::Diagnostic& diagnostic : result.error().diagnostics())
        text += diagnostic.format() + "\n";
    return text;
}

// Builds the proposed roadmap as the loop would (files from the default
// roadmap's folder) and evaluates it.
pxos::EvalResult build_and_evaluate(const std::string& text)
{
    std::string path = pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml");
    auto roadmap = pxos::parse_roadmap(text, path, pxos::steps::builtin_registry());
    REQUIRE(roadmap);
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    if (!built)
        FAIL(built.error().message());
    return pxos::evaluate(built->vram, "patched.png");
}

const pxos::StepCall& step(const std::string& text, std::size_t number)
{
    static std::optional<pxos::Roadmap> roadmap;
    roadmap = pxos::parse_roadmap(text, "x.yaml", pxos::steps::builtin_registry()).value();
    return roadmap->steps.at(number - 1);
}

std::string param(const pxos::StepCall& call, const std::string& name)
{
    for (const auto& [key, value] : call.params)
        if (key == name)
            return std::get<std::string>(value);
    return "(none)";
}

// Shortens getpid: it returns at once instead of through return_r1 (sp is
// still the stack's top: getpid calls nothing).
const std::string kGetpidPatch = "kernel.pxasm\n"
                                 "<<<<<<< SEARCH\n"
                                 "sys_getpid:\n"
                                 "    LOAD r1, r14, current\n"
                                 "    ADDI r1, r1, FIRST_PID\n"
                                 "    JMP return_r1\n"
                                 "=======\n"
                                 "sys_getpid:                       ; returns at once (sp is still the stack's top)\n"
                                 "    LOAD r1, r14, current\n"
                                 "    ADDI r1, r1, FIRST_PID\n"
                                 "    USET r14, r1\n"
                                 "    SYSRET\n"
                                 ">>>>>>> REPLACE\n";

// The loop on the default roadmap with a fake LLM (tests/fake_llm/NAME).
std::vector<nlohmann::json> run_loop_with(const pxos::test::ScratchDirectory& scratch, const std::string& fake,
    int generations)
{
    pxos::LoopOptions options = pxos::test::loop_options(scratch, "ROADMAP_VRAM_OS.yaml", generations, pxos::ProposerKind::Llm);
    pxos::ShellLlmClient llm(pxos::test::fake_llm_command(fake), 10, std::size_t(1) << 20);
    pxos::LoopObserver observer;
    pxos::SteadyClock clock;
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), &llm, observer, clock);
    REQUIRE(summary);
    return pxos::test::loop_history(scratch);
}

} // namespace

TEST_CASE("a patch on kernel.pxasm inlines the kernel, and the patched OS builds and boots with full gates", "[replies]")
{
    auto accepted = parse("The getpid path can skip return_r1.\n\n" + kGetpidPatch
            + "\nRationale: getpid returns at once, two instructions fewer per call.\n",
        default_parent());
    REQUIRE(accepted);
    CHECK(accepted->rationale == "getpid returns at once, two instructions fewer per call.");
    CHECK(accepted->note
        == "applied 1 patch to kernel.pxasm; step 6 (install_kernel): kernel_file kernel.pxasm inlined as kernel_source "
           "(patched: kernel.pxasm)");
    const pxos::StepCall& kernel = step(accepted->text, 6);
    CHECK(param(kernel, "kernel_file") == "(none)");
    std::string source = param(kernel, "kernel_source");
    CHECK(source.find("    USET r14, r1\n    SYSRET\n") != std::string::npos);
    // Its includes still resolve: from the roadmap's folder, as inline source's do.
    CHECK(source.find("\n.include \"kernel/proc.pxasm\"\n") != std::string::npos);
    pxos::EvalResult evaluation = build_and_evaluate(accepted->text);
    CHECK(evaluation.score == evaluation.max_score);
}

TEST_CASE("a patch on an included kernel file inlines its includer with the patched text in place", "[replies]")
{
    std::string reply = "```\nkernel/proc.pxasm\n<<<<<<< SEARCH\n"
                        "    ADDI r1, r1, -2               ; back on the SYSCALL instruction (2 words)\n"
                        "=======\n"
                        "    ADDI r1, r1, -2               ; back on SYSCALL (patched)\n"
                        ">>>>>>> REPLACE\n```\n";
    auto accepted = parse(reply, default_parent());
    REQUIRE(accepted);
    CHECK(accepted->note
        == "applied 1 patch to kernel/proc.pxasm; step 6 (install_kernel): kernel_file kernel.pxasm inlined as "
           "kernel_source (patched: kernel/proc.pxasm)");
    std::string source = param(step(accepted->text, 6), "kernel_source");
    CHECK(source.find("; ---- kernel/proc.pxasm (inlined) ----\n") != std::string::npos);
    CHECK(source.find("; back on SYSCALL (patched)\n") != std::string::npos);
    CHECK(source.find(".include \"kernel/proc.pxasm\"") == std::string::npos);
    CHECK(source.find("\n.include \"kernel/exec.pxasm\"\n") != std::string::npos);
    pxos::EvalResult evaluation = build_and_evaluate(accepted->text);
    CHECK(evaluation.score == evaluation.max_score);

    // The child's next patch on that file is sent to where it now lives.
    auto child = pxos::parse_roadmap(accepted->text, default_parent().roadmap.path, pxos::steps::builtin_registry());
    REQUIRE(child);
    Parent next = parent_of(*child, default_parent().folder);
    CHECK(errors_of(parse(reply, next))
        == "reply:2:1: error: block 1: 'kernel/proc.pxasm' is not a source of the roadmap; an earlier patch inlined it "
           "into 'step 6: kernel_source': patch that\n");
    std::string again = "step 6: kernel_source\n<<<<<<< SEARCH\n"
                        "    ADDI r1, r1, -2               ; back on SYSCALL (patched)\n=======\n"
                        "    ADDI r1, r1, -2               ; back on SYSCALL, twice\n>>>>>>> REPLACE\n";
    auto twice = parse(again, next);
    REQUIRE(twice);
    CHECK(param(step(twice->text, 6), "kernel_source").find("; back on SYSCALL, twice\n") != std::string::npos);
}

TEST_CASE("a patch on a library every user program includes inlines each of them, and they still build", "[replies]")
{
    const Parent& parent = default_parent();
    const pxos::RoadmapSource* ulib = nullptr;
    for (const pxos::RoadmapSource& source : parent.sources)
        if (source.name == "user/ulib.pxasm")
            ulib = &source;
    REQUIRE(ulib);
    std::string first_line = ulib->text.substr(0, ulib->text.find('\n'));
    std::string reply = "user/ulib.pxasm\n<<<<<<< SEARCH\n" + first_line + "\n=======\n" + first_line
        + " (patched)\n>>>>>>> REPLACE\n";
    auto accepted = parse(reply, parent);
    REQUIRE(accepted);
    auto roadmap = pxos::parse_roadmap(accepted->text, "x.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap);
    int inlined = 0;
    for (const pxos::StepCall& call : roadmap->steps)
        if (param(call, "program_source").find(first_line + " (patched)") != std::string::npos)
            ++inlined;
    CHECK(inlined >= 5);
    CHECK(param(roadmap->steps.at(8), "program_source").find(".include \"user/sh_run.pxasm\"") != std::string::npos);
    pxos::EvalResult evaluation = build_and_evaluate(accepted->text);
    CHECK(evaluation.score == evaluation.max_score);
}

TEST_CASE("a patch whose SEARCH text is not in the source names its block and shows the nearest text", "[replies]")
{
    std::string reply = "Two changes.\n"
                        "step 3: program_source\n"
                        "<<<<<<< SEARCH\n"
                        "    LI r2, 7\n"
                        "    ADD r1, r1, r3\n"
                        "=======\n"
                        "    LI r2, 8\n"
                        ">>>>>>> REPLACE\n";
    CHECK(errors_of(parse(reply, small_parent()))
        == "reply:3:1: error: block 1 on step 3: program_source: its SEARCH text (2 lines, reply lines 4-5) is not in "
           "step 3: program_source; the nearest text there is lines 3-4 (1 of 2 lines the same; reply line 5 differs "
           "from line 4):\n"
           "     3 |     LI r2, 7\n"
           "     4 |     ADD r1, r1, r2\n");
}

TEST_CASE("a patch whose SEARCH text is found more than once says where, and applies nothing", "[replies]")
{
    std::string reply = "step 3: program_source\n<<<<<<< SEARCH\n    LI r1, 5\n=======\n    LI r1, 6\n>>>>>>> REPLACE\n";
    CHECK(errors_of(parse(reply, small_parent()))
        == "reply:2:1: error: block 1 on step 3: program_source: its SEARCH text (1 line) is found 2 times in step 3: "
           "program_source (at lines 2, 5); add lines around it so that it matches one place\n");
}

TEST_CASE("a patch naming an unknown source suggests the nearest name", "[replies]")
{
    std::string reply = "kernal.pxasm\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n";
    CHECK(errors_of(parse(reply, default_parent()))
        == "reply:1:1: error: block 1: 'kernal.pxasm' is not a source of the roadmap; did you mean 'kernel.pxasm'?\n");
    // Decorations around the name are fine; a name inside a sentence too.
    for (const char* line : { "`kernel.pxasm`", "**kernel.pxasm**", "### File: kernel.pxasm",
             "In kernel.pxasm, getpid returns at once:" }) {
        INFO(line);
        std::string named = kGetpidPatch;
        named.replace(0, named.find('\n'), line);
        CHECK(parse(named, default_parent()).ok());
    }
}

TEST_CASE("patches report every broken block, and blocks with no name take the one before's source", "[replies]")
{
    std::string reply = "step 3: program_source\n<<<<<<< SEARCH\n    LI r2, 7\n=======\n    LI r2, 9\n>>>>>>> REPLACE\n"
                        "<<<<<<< SEARCH\n    SYSCALL SYS_EXIT\n=======\n    SYSCALL SYS_EXIT ; done\n>>>>>>> REPLACE\n"
                        "<<<<<<< SEARCH\n    LI r9, 1\n";
    CHECK(errors_of(parse(reply, small_parent())) == "reply:12:1: error: block 3: the reply ends before its =======\n");
    auto accepted = parse(reply.substr(0, reply.rfind("<<<<<<<")), small_parent());
    REQUIRE(accepted);
    CHECK(param(step(accepted->text, 3), "program_source")
        == "main:\n    LI r1, 5\n    LI r2, 9\n    ADD r1, r1, r2\n    LI r1, 5\n    SYSCALL SYS_EXIT ; done\n");
    // The listing's line numbers, copied with the lines, are ignored.
    auto numbered = parse("step 3: program_source\n<<<<<<< SEARCH\n   3 |     LI r2, 7\n=======\n   3 |     LI r2, 4\n"
                          ">>>>>>> REPLACE\n",
        small_parent());
    REQUIRE(numbered);
    CHECK(numbered->note == "applied 1 patch to step 3: program_source; block 1: ignored the line numbers; step 3 "
                            "(add_process): its program_source (patched: step 3: program_source)");
    CHECK(param(step(numbered->text, 3), "program_source").find("\n    LI r2, 4\n") != std::string::npos);
}

TEST_CASE("the last yaml fence is used (then an untagged one), and the note says which", "[replies]")
{
    std::string reply = "First idea:\n```yaml\nedits:\n  - remove: {step: 1}\n```\n"
                        "Some code:\n```pxasm\nLI r1, 1\n```\n"
                        "Better:\n```yaml\nedits:\n  - set: {step: 2, param: quantum, value: 500}\n```\n"
                        "```\nnot: this\n```\n";
    auto accepted = parse(reply, small_parent());
    REQUIRE(accepted);
    CHECK(accepted->note == "used the 3rd of 4 fenced blocks (yaml, line 11)");
    CHECK(accepted->text.find("quantum: 500") != std::string::npos);
    auto untagged = parse("Here:\n```\nedits:\n  - remove: {step: 3}\n```\n```json\n{}\n```\n", small_parent());
    REQUIRE(untagged);
    CHECK(untagged->note == "used the 1st of 2 fenced blocks (untagged, line 2)");
    auto bare = parse("edits:\n  - remove: {step: 3}\nrationale: fewer processes\n", small_parent());
    REQUIRE(bare);
    CHECK(bare->note == "no fenced block: read the whole reply as YAML");
    CHECK(bare->rationale == "fewer processes");
}

TEST_CASE("a whole roadmap may carry a rationale, which is not part of the roadmap", "[replies]")
{
    auto accepted = parse("```yaml\nrationale: |\n  a smaller slice\n  for fairness\nsteps:\n  - step: layout_regions\n"
                          "  - step: nonsense_step\n```\n",
        small_parent());
    // Its errors are at the reply's lines.
    INFO(errors_of(accepted));
    CHECK(errors_of(accepted).rfind("reply:7:11: error: unknown step 'nonsense_step'", 0) == 0);
    auto good = parse("```yaml\nrationale: |\n  a smaller slice\n  for fairness\nsteps:\n  - step: layout_regions\n```\n",
        small_parent());
    REQUIRE(good);
    CHECK(good->rationale == "a smaller slice\nfor fairness");
    CHECK(good->text.find("rationale") == std::string::npos);
}

TEST_CASE("edit errors point at the edit's line in the reply and name the step it resolved to", "[replies]")
{
    std::string reply = "Edits:\n\n```yaml\nedits:\n  - set: {step: 2, param: quantum, value: 500}\n"
                        "  - set: {step: 2, param: quantim, value: 500}\n  - remove: {step: 9}\n```\n";
    CHECK(errors_of(parse(reply, small_parent())) == "reply:7:5: error: edit 3 (remove) needs step: 1..3\n");
    reply = "```yaml\nedits:\n  - set: {step: 2, param: quantum, value: 500}\n"
            "  - set: {step: 2, param: quantim, value: 500}\n"
            "  - add: {at: 1, step: init_background, params: {background_color: red}}\n```\n";
    std::string errors = errors_of(parse(reply, small_parent()));
    INFO(errors);
    CHECK(errors.find("reply:5:5: error: edit 3 (add) -> step 1 (init_background): ") == 0);
    CHECK(errors.find("\nreply:4:5: error: edit 2 (set) -> step 3 (install_kernel): unknown parameter 'quantim'")
        != std::string::npos);
    CHECK(errors.find("proposed roadmap") == std::string::npos);
}

TEST_CASE("patches and edits go together in one reply, the patches first", "[replies]")
{
    std::string reply = "step 3: program_source\n<<<<<<< SEARCH\n    LI r2, 7\n=======\n    LI r2, 9\n>>>>>>> REPLACE\n"
                        "```yaml\nedits:\n  - set: {step: 2, param: quantum, value: 500}\nrationale: both\n```\n";
    auto accepted = parse(reply, small_parent());
    REQUIRE(accepted);
    CHECK(accepted->rationale == "both");
    CHECK(accepted->note.rfind("applied 1 patch to step 3: program_source", 0)
        == 0);
    CHECK(accepted->text.find("quantum: 500") != std::string::npos);
    CHECK(param(step(accepted->text, 3), "program_source").find("    LI r2, 9\n") != std::string::npos);
    // A yaml block with only a rationale is fine beside patches, not alone.
    CHECK(parse(reply.substr(0, reply.find("```")) + "```yaml\nrationale: x\n```\n", small_parent()).ok());
    CHECK(errors_of(parse("```yaml\nrationale: x\n```\n", small_parent()))
        == "reply: error: the reply is neither a roadmap (a map with 'steps:') nor an edit list (a map with "
           "'edits:'); put it in one ```yaml block\n");
}

TEST_CASE("a <think> section is ignored, the reply's lines keep their numbers", "[replies]")
{
    std::string reply = "<think>\n```yaml\nsteps: []\n```\n</think>\n```yaml\nedits:\n  - remove: {step: 7}\n```\n";
    CHECK(errors_of(parse(reply, small_parent())) == "reply:8:5: error: edit 1 (remove) needs step: 1..3\n");
}

TEST_CASE("a rejected reply is shown with numbered lines, its middle left out past the bound", "[replies]")
{
    CHECK(pxos::numbered_reply_excerpt("a\nb\n") == "   1 | a\n   2 | b\n");
    std::string reply;
    for (int i = 1; i <= 100; ++i)
        reply += "line " + std::to_string(i) + "\n";
    std::string excerpt = pxos::numbered_reply_excerpt(reply, 200);
    INFO(excerpt);
    CHECK(excerpt.size() < 400);
    CHECK(excerpt.rfind("   1 | line 1\n", 0) == 0);
    CHECK(excerpt.find(" 100 | line 100\n") != std::string::npos);
    CHECK(excerpt.find("left out: the reply has 100 lines, 792 bytes; this excerpt is at most 200 bytes)")
        != std::string::npos);
}

TEST_CASE("the reply format help describes the markers the parser reads", "[replies]")
{
    std::string help = pxos::reply_format_help();
    CHECK(help.find("<<<<<<< SEARCH") != std::string::npos);
    CHECK(help.find("=======") != std::string::npos);
    CHECK(help.find(">>>>>>> REPLACE") != std::string::npos);
    CHECK(help.find("rationale:") != std::string::npos);
    CHECK(help.find("reply:LINE:COLUMN") != std::string::npos);
}

TEST_CASE("an LLM's patch that shortens the system call path keeps full gates, raises combined_score and becomes best",
    "[replies][loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    auto lines = run_loop_with(scratch, "patch_getpid.sh", 2);
    REQUIRE(lines.size() == 2);
    INFO(lines[1].dump());
    CHECK(lines[1]["proposer"] == "llm");
    CHECK(lines[1]["fallback"] == false);
    CHECK(lines[1]["llm_calls"] == 1);
    CHECK(lines[1]["score"] == lines[1]["max_score"]);
    CHECK(lines[1]["note"].get<std::string>().find("applied 1 patch to kernel.pxasm") != std::string::npos);
    CHECK(lines[1]["rationale"] == "two instructions fewer on every getpid round trip.");
    std::string roadmap = pxos::test::read_text(scratch.file("loop/ROADMAP_VRAM_OS.gen002.yaml"));
    CHECK(roadmap.find("kernel_source:") != std::string::npos);
    CHECK(roadmap.find("kernel_file:") == std::string::npos);
    // The evaluator's metrics (syscall_round_trip) and the ranking by
    // combined_score make the shorter path win.
    CHECK(lines[1]["combined_score"].get<double>() > lines[0]["combined_score"].get<double>());
    CHECK(lines[1]["best_generation"] == 2);
}

TEST_CASE("an LLM's patch against text not in the kernel is told the block and the nearest text, and the retry works",
    "[replies][loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    auto lines = run_loop_with(scratch, "patch_retry.sh", 2);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1]["proposer"] == "llm");
    CHECK(lines[1]["fallback"] == false);
    CHECK(lines[1]["llm_calls"] == 2);
    CHECK(lines[1]["score"] == lines[1]["max_score"]);
    std::string retry = pxos::test::read_text(scratch.file("loop/llm/gen002.c1.a2.prompt.txt"));
    INFO(retry.substr(retry.find("## Your previous reply was rejected")));
    // The rejected reply, numbered, then the error naming its block and the nearest text.
    CHECK(retry.find("## Your previous reply was rejected\n") != std::string::npos);
    CHECK(retry.find("   4 |     LOAD r1, r14, current_slot\n") != std::string::npos);
    CHECK(retry.find("Its errors:\nreply:2:1: error: block 1 on kernel.pxasm: its SEARCH text (4 lines, reply lines "
                     "3-6) is not in kernel.pxasm; the nearest text there is lines 268-271 (3 of 4 lines the same; "
                     "reply line 4 differs from line 269):\n"
                     "   268 | sys_getpid:\n"
                     "   269 |     LOAD r1, r14, current\n"
                     "   270 |     ADDI r1, r1, FIRST_PID\n"
                     "   271 |     JMP return_r1\n")
        != std::string::npos);
}

TEST_CASE("docs/LOOP.md holds the reply format the prompt gives", "[replies][docs]")
{
    std::string doc = pxos::test::read_text(pxos::test::source_path("docs/LOOP.md"));
    const std::string begin = "<!-- reply_format_help() begins -->\n";
    const std::string end = "<!-- reply_format_help() ends -->";
    std::size_t from = doc.find(begin);
    std::size_t to = doc.find(end);
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    std::string help = pxos::reply_format_help();
    CHECK(doc.substr(from + begin.size(), to - from - begin.size()) == help);
}

TEST_CASE("a patch on a built-in kernel inlines it with every built-in include in place, and it builds", "[replies]")
{
    std::string reply = kGetpidPatch;
    reply.replace(0, reply.find('\n'), "builtin:kernel.pxasm");
    auto accepted = parse(reply, small_parent());
    REQUIRE(accepted);
    std::string source = param(step(accepted->text, 2), "kernel_source");
    // Inline source cannot include built-in files: none is left as an include.
    CHECK(source.find(".include") == std::string::npos);
    CHECK(source.find("; ---- builtin:kernel/proc.pxasm (inlined) ----\n") != std::string::npos);
    CHECK(source.find("    USET r14, r1\n    SYSRET\n") != std::string::npos);
    auto roadmap = pxos::parse_roadmap(accepted->text, "small.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap);
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    CHECK(built.ok());
}

TEST_CASE("patches beside a whole roadmap apply to the sources that roadmap uses", "[replies]")
{
    std::string reply = "```yaml\nsteps:\n  - step: layout_regions\n  - step: write_isa_palette\n"
                        "  - step: install_kernel\n```\n"
        + std::string(kGetpidPatch).replace(0, kGetpidPatch.find('\n'), "builtin:kernel.pxasm");
    auto accepted = parse(reply, small_parent());
    REQUIRE(accepted);
    CHECK(param(step(accepted->text, 3), "kernel_source").find("    USET r14, r1\n    SYSRET\n") != std::string::npos);
    // A patched source the roadmap no longer uses is an error: the patch would do nothing.
    std::string unused = "```yaml\nsteps:\n  - step: layout_regions\n```\n"
        + std::string(kGetpidPatch).replace(0, kGetpidPatch.find('\n'), "builtin:kernel.pxasm");
    CHECK(errors_of(parse(unused, small_parent()))
        == "reply:6:1: error: block 1: no step of the reply's roadmap uses builtin:kernel.pxasm\n");
}

TEST_CASE("the getpid patch the fake LLM sends saves two instructions on every getpid round trip", "[replies]")
{
    // A probe that calls getpid 100 times, on the built-in kernel and on the patched one.
    auto roadmap = pxos::parse_roadmap("steps:\n  - step: layout_regions\n  - step: write_isa_palette\n"
                                       "  - step: install_kernel\n  - step: add_process\n    params:\n"
                                       "      program_source: \"main:\\n    LI r5, 100\\nagain:\\n    SYSCALL SYS_GETPID\\n"
                                       "    ADDI r5, r5, -1\\n    JNZ r5, again\\n    LI r1, 0\\n    SYSCALL SYS_EXIT\\n\"\n",
        "probe.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap);
    Parent probe = parent_of(*roadmap, ".");
    std::string reply = kGetpidPatch;
    reply.replace(0, reply.find('\n'), "builtin:kernel.pxasm");
    auto accepted = parse(reply, probe);
    REQUIRE(accepted);
    auto steps_of = [](const pxos::Roadmap& run) {
        auto built = pxos::build_roadmap(run, pxos::test::on_disk());
        REQUIRE(built);
        auto machine = pxos::Machine::boot(std::move(built->vram), "probe.png");
        REQUIRE(machine);
        pxos::RunResult result = (*machine)->run(1'000'000);
        CHECK(result.reason == pxos::StopReason::Halted);
        CHECK(result.halt_code == 0);
        return result.steps;
    };
    auto patched = pxos::parse_roadmap(accepted->text, "probe.yaml", pxos::steps::builtin_registry());
    REQUIRE(patched);
    std::uint64_t before = steps_of(*roadmap);
    std::uint64_t after = steps_of(*patched);
    CHECK(before - after == 200);
}

TEST_CASE("a whole roadmap's errors are at its lines in the reply, naming the step", "[replies][malformed]")
{
    std::string reply = "Here:\n```yaml\nsteps:\n  - step: layout_regions\n  - step: install_kernel\n"
                        "    params: {kernel_file: \"../../../../../../../../etc/passwd\"}\n```\n";
    std::string errors = errors_of(parse(reply, small_parent()));
    CHECK(errors.rfind("reply:5:5: error: step 2 (install_kernel): kernel_file '../../../../../../../../etc/passwd': "
                       "leaves the roadmap's folder",
              0)
        == 0);
}

TEST_CASE("a reply of very many patch blocks is refused past the bound, and few show the nearest text", "[replies][malformed]")
{
    std::string block = "step 3: program_source\n<<<<<<< SEARCH\n    NOPE\n=======\n    X\n>>>>>>> REPLACE\n";
    std::string many;
    for (int i = 0; i < 300; ++i)
        many += block;
    CHECK(errors_of(parse(many, small_parent())) == "reply:1538:1: error: block 257: a reply holds at most 256 patch blocks\n");
    std::string twenty;
    for (int i = 0; i < 20; ++i)
        twenty += block;
    std::string errors = errors_of(parse(twenty, small_parent()));
    CHECK(std::count(errors.begin(), errors.end(), '|') == 8); // the nearest line, for the first 8 blocks
    CHECK(errors.find("reply:116:1: error: block 20 on step 3: program_source: its SEARCH text (1 line, reply line "
                      "117) is not in step 3: program_source; (the nearest text is shown for the first blocks only)")
        != std::string::npos);
}
