// The prompt alone: the reflection JSON; a generation's prompt of the
// default roadmap (its sections in order, the kernel with line numbers,
// the cheat sheet, the metric table) under its budget, large and small,
// saying what it left out; region prompts; determinism; the retry prompt.
#include "pxos/loop/prompt.hpp"

#include "builtin_steps.hpp"
#include "pxos/abi/os.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/loop/reply.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <set>

namespace {

pxos::EvalResult evaluation()
{
    pxos::EvalResult result;
    result.image_name = "candidate.png";
    result.score = 3;
    result.max_score = 22;
    pxos::Check passed;
    passed.id = "seed.all_regions_ok";
    passed.group = "seed";
    passed.passed = true;
    passed.points = 1;
    result.checks.push_back(passed);
    pxos::Check failed;
    failed.id = "kernel.boots";
    failed.group = "kernel";
    failed.max_points = 4;
    failed.message = "no kernel at (0,0)";
    result.checks.push_back(failed);
    return result;
}

// An evaluation whose gates are full, with every metric measured (value
// 100 + 10 * row, ratio 1 + 0.1 * row) and a run of 40 console lines.
pxos::EvalResult full_evaluation()
{
    pxos::EvalResult result;
    result.score = 22;
    result.max_score = 22;
    pxos::Check passed;
    passed.id = "kernel.boots";
    passed.passed = true;
    result.checks.push_back(passed);
    result.metrics.measured = true;
    int row = 0;
    for (const pxos::MetricRow& metric : pxos::metric_table()) {
        pxos::MetricValue value;
        value.key = std::string(metric.key);
        value.measured = true;
        value.value = 100 + 10 * row;
        value.ratio = 1.0 + 0.1 * row;
        result.metrics.values.push_back(value);
        ++row;
    }
    result.metrics.combined_score = 1.25;
    result.run.ran = true;
    result.run.steps = 814112;
    result.run.syscalls = 900;
    result.run.halt_code = 0;
    for (int line = 1; line <= 40; ++line)
        result.run.console_head += fmt::format("console line {}\n", line);
    result.run.console_tail = "$ echo bye\nbye\n";
    result.run.processes.push_back({ 1, "hello", "exited 0", 120, 3 });
    result.run.processes.push_back({ 2, "primes", "exited 0", 52000, 30 });
    return result;
}

struct DefaultRoadmap {
    std::string text;
    std::vector<pxos::RoadmapSource> sources;
};

const DefaultRoadmap& default_roadmap()
{
    static const DefaultRoadmap loaded = [] {
        auto roadmap = pxos::load_roadmap(pxos::test::files(),
            pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"), pxos::steps::builtin_registry());
        REQUIRE(roadmap);
        auto sources = pxos::roadmap_sources(*roadmap, pxos::test::files());
        REQUIRE(sources);
        return DefaultRoadmap { pxos::roadmap_to_yaml(*roadmap), *sources };
    }();
    return loaded;
}

std::vector<pxos::GenerationRecord> records(int count)
{
    std::vector<pxos::GenerationRecord> history;
    for (int generation = 1; generation <= count; ++generation) {
        pxos::GenerationRecord record;
        record.generation = generation;
        record.parent = generation - 1;
        record.proposer = generation == 1 ? "given" : "llm";
        record.score = 22;
        record.max_score = 22;
        record.best_generation = generation % 2 ? generation : generation - 1;
        record.note = "note " + std::to_string(generation);
        if (generation > 1) {
            record.model = "m" + std::to_string(generation % 2);
            record.combined_score = 1.0 + 0.01 * generation;
            record.combined_delta = generation % 2 ? 0.02 : -0.01;
            record.outcome = generation % 2 ? "best" : "lower";
            record.reason = generation % 2 ? "" : "it ranks below its parent";
            record.rationale = generation == 6 ? "a shorter trap path" : "";
        }
        history.push_back(record);
    }
    return history;
}

pxos::PromptContext context_for(const pxos::EvalResult& result, std::size_t budget, int generation = 7)
{
    pxos::PromptContext context;
    context.generation = generation;
    context.roadmap_text = default_roadmap().text;
    context.evaluation = &result;
    context.sources = default_roadmap().sources;
    context.recent = records(generation - 1);
    context.top = { context.recent.back() };
    context.registry = &pxos::steps::builtin_registry();
    context.budget_bytes = budget;
    return context;
}

// The source's line as the prompt numbers it.
std::string numbered_line(const std::string& text, const std::string& line)
{
    std::size_t at = text.find("\n" + line + "\n");
    REQUIRE(at != std::string::npos);
    std::size_t number = std::size_t(std::count(text.begin(), text.begin() + std::ptrdiff_t(at) + 1, '\n')) + 1;
    std::size_t lines = std::size_t(std::count(text.begin(), text.end(), '\n'));
    return fmt::format("\n{:>{}}| {}\n", number, fmt::format("{}", lines).size(), line);
}

std::set<std::string> shown_sources(const std::string& prompt)
{
    std::set<std::string> shown;
    for (std::size_t at = prompt.find("\n### "); at != std::string::npos; at = prompt.find("\n### ", at + 1))
        shown.insert(prompt.substr(at + 5, prompt.find(" (", at) - at - 5));
    return shown;
}

} // namespace

TEST_CASE("the reflection names the best's failing checks and the last five attempts", "[loop][prompt]")
{
    std::vector<pxos::GenerationRecord> history;
    for (int generation = 1; generation <= 7; ++generation) {
        pxos::GenerationRecord record;
        record.generation = generation;
        record.parent = generation - 1;
        record.proposer = generation == 1 ? "given" : "heuristic";
        record.score = generation;
        record.note = "n" + std::to_string(generation);
        history.push_back(record);
    }
    std::string expected = R"json({
  "generation": 8,
  "best_generation": 6,
  "best_score": 3,
  "max_score": 22,
  "failing_checks": [
    {
      "id": "kernel.boots",
      "points": 4,
      "message": "no kernel at (0,0)"
    }
  ],
  "previous_attempts": [
)json";
    for (int generation = 3; generation <= 7; ++generation)
        expected += "    {\n      \"generation\": " + std::to_string(generation) + ",\n      \"parent\": "
            + std::to_string(generation - 1) + ",\n      \"proposer\": \"heuristic\",\n      \"score\": "
            + std::to_string(generation) + ",\n      \"note\": \"n" + std::to_string(generation) + "\"\n    }"
            + (generation < 7 ? ",\n" : "\n");
    expected += "  ]\n}\n";
    CHECK(pxos::reflection_json(8, evaluation(), 6, history) == expected);

    CHECK(pxos::reflection_json(2, evaluation(), 1, {}).find("\"previous_attempts\": []\n}\n") != std::string::npos);
}

TEST_CASE("a generation's prompt of the default roadmap holds the kernel with line numbers, the cheat sheet and the "
          "metric table, in 32 KiB",
    "[loop][prompt]")
{
    pxos::EvalResult result = full_evaluation();
    pxos::PromptContext context = context_for(result, 32 * 1024);
    std::string prompt = pxos::build_prompt(context);
    CHECK(prompt.size() <= 32 * 1024);
    CHECK(prompt.size() > 24 * 1024); // the budget is used, not wasted

    // The sections, in their order of usefulness.
    std::vector<std::string> headings = { "## Task\n", "## The parent roadmap", "## Sources", "## The parent's run\n",
        "## Metrics", "## Gates: 22/22\n", "## The last attempts", "## The top candidates", "## pxasm cheat sheet\n",
        "## Left out to fit the prompt's budget of 32768 bytes\n",
        "## Reply format\n" };
    std::size_t previous = 0;
    for (const std::string& heading : headings) {
        INFO(heading);
        std::size_t at = prompt.find(heading);
        REQUIRE(at != std::string::npos);
        CHECK(at >= previous);
        previous = at;
    }
    CHECK(prompt.find("This is generation 7; the parent below scores 22/22, combined_score 1.2500.\nNow: raise "
                      "combined_score without losing a gate or a capability; the weakest metrics: usertests_passed "
                      "(ratio 1.000), scenarios_passed (ratio 1.100), syscall_round_trip (ratio 1.200).\n")
        != std::string::npos);
    // The roadmap's steps numbered as edits number them.
    CHECK(prompt.find("  - step: init_background   # step 1\n") != std::string::npos);
    CHECK(prompt.find("  - step: install_kernel   # step 6\n") != std::string::npos);

    // The kernel's top file whole, with line numbers, named as patches name it.
    const std::string& kernel = default_roadmap().sources.front().text;
    std::size_t kernel_lines = std::size_t(std::count(kernel.begin(), kernel.end(), '\n'));
    CHECK(prompt.find(fmt::format("### kernel.pxasm (step 6: kernel_file; {} lines)\n```pxasm\n", kernel_lines))
        != std::string::npos);
    CHECK(prompt.find(numbered_line(kernel, "kernel_entry:")) != std::string::npos);
    CHECK(prompt.find(numbered_line(kernel, "    JMP schedule")) != std::string::npos);
    // The others listed with their sizes and what their headers offer.
    const pxos::RoadmapSource* pipe = nullptr;
    for (const pxos::RoadmapSource& source : default_roadmap().sources)
        if (source.name == "kernel/pipe.pxasm")
            pipe = &source;
    REQUIRE(pipe);
    std::string pipe_line = fmt::format("\n- kernel/pipe.pxasm, {} lines, {} bytes: routines pipe_read, pipe_write, "
                                        "pipe_close_end, pipe_size, pipe_channel, pipe_init\n",
        std::count(pipe->text.begin(), pipe->text.end(), '\n'), pipe->text.size());
    bool pipe_shown = shown_sources(prompt).count("kernel/pipe.pxasm") > 0;
    CHECK((pipe_shown || prompt.find(pipe_line) != std::string::npos));

    // The run: its figures, the console's head and tail, each process.
    CHECK(prompt.find("814112 steps, 900 system calls, 0 faults, halted with 0.\n") != std::string::npos);
    CHECK(prompt.find("\n$ echo bye\nbye\n```\n") != std::string::npos);
    CHECK(prompt.find("| 2 | primes | exited 0 | 52000 | 30 |\n") != std::string::npos);

    // The metric table: every row, its value, ratio, direction, weight and what it rewards.
    int row = 0;
    for (const pxos::MetricRow& metric : pxos::metric_table()) {
        INFO(metric.key);
        CHECK(prompt.find(fmt::format("| {} | {} {} | {:.3f} | {} | {} | {} |\n", metric.key, 100 + 10 * row,
                  metric.unit, 1.0 + 0.1 * row, metric.direction == pxos::MetricDirection::Higher ? "higher" : "lower",
                  metric.weight, metric.rewards))
            != std::string::npos);
        ++row;
    }

    // The attempts and the top candidate, with their outcomes.
    CHECK(prompt.find("- generation 6 candidate 1 (island 0, from generation 5 candidate 0, llm m0): gates 22/22, "
                      "combined_score 1.0600 (-0.0100); lower: it ranks below its parent. Rationale: a shorter trap "
                      "path\n")
        != std::string::npos);
    CHECK(prompt.find("- generation 5 candidate 1 (island 0, from generation 4 candidate 0, llm m1): gates 22/22, "
                      "combined_score 1.0500 (+0.0200); best. note 5\n")
        != std::string::npos);

    // The cheat sheet.
    CHECK(prompt.find("word = r | g << 8 | b << 16 | a << 24 (colour (17,34,51,68) is word 0x44332211") != std::string::npos);
    CHECK(prompt.find("`sp` = r15") != std::string::npos);
    CHECK(prompt.find("  JZ ra, imm           if ra == 0: pc = imm\n") != std::string::npos);
    CHECK(prompt.find("  STORE rs, ra, imm    mem[ra + imm] = rs\n") != std::string::npos);
    CHECK(prompt.find("  SYS_WRITE (1) r1 = fd, r2 = address, r3 = length: write up to length words") != std::string::npos);
    CHECK(prompt.find(" ERR_FAULT -3;") != std::string::npos);
    CHECK(prompt.find("the kernel changes no other register of the caller") != std::string::npos);
    CHECK(prompt.find("Calling convention, as kernel/layout.pxasm states it:\n  Calling convention of kernel routines") != std::string::npos);
    CHECK(prompt.find("Calling convention, as user/ulib.pxasm states it:\n") != std::string::npos);

    // The registry is left out at this budget (the roadmap names the steps it uses), and says so.
    CHECK(prompt.find("\"params\": [") == std::string::npos);
    CHECK(prompt.find("- the step registry (") != std::string::npos);

    // What was left out, and how big it was.
    CHECK(prompt.find(fmt::format("sources listed by name only (")) != std::string::npos);

    // The same context, the same bytes: the prompt is the reply cache's key.
    CHECK(pxos::build_prompt(context) == prompt);
}

TEST_CASE("a large prompt budget keeps every part whole: the example, the registry's details, every attempt",
    "[loop][prompt]")
{
    pxos::EvalResult result = full_evaluation();
    std::string prompt = pxos::build_prompt(context_for(result, 1 << 20));
    CHECK(prompt.find("## Left out") == std::string::npos);
    CHECK(prompt.find("Not shown here") == std::string::npos);
    for (const pxos::RoadmapSource& source : default_roadmap().sources)
        CHECK(prompt.find("\n### " + source.name + " (") != std::string::npos);
    CHECK(prompt.find("Example (builtin:primes.pxasm):\n```pxasm\n; Prints the primes below LIMIT") != std::string::npos);
    CHECK(prompt.find("\ninstall_kernel: ") != std::string::npos);
    CHECK(prompt.find("\n  quantum integer 1..1000000 = 1000: user instructions per time slice (the symbol QUANTUM)\n") != std::string::npos);
    CHECK(prompt.find("\nconsole line 21\n") != std::string::npos);
    CHECK(prompt.find("## The last attempts (newest last)\n- generation 1 candidate 1 (island 0, from generation 0 "
                      "candidate 0, given): gates 22/22; best. note 1\n")
        != std::string::npos);
}

TEST_CASE("a small prompt budget trims the least useful parts first and says what it left out", "[loop][prompt]")
{
    pxos::EvalResult result = full_evaluation();
    pxos::PromptContext context = context_for(result, 24 * 1024);
    std::string prompt = pxos::build_prompt(context);
    CHECK(prompt.size() <= 24 * 1024);
    CHECK(prompt.find("## Left out to fit the prompt's budget of 24576 bytes\n") != std::string::npos);
    CHECK(prompt.find("- the step registry (") != std::string::npos);
    CHECK(prompt.find("- the cheat sheet's example program\n") != std::string::npos);
    CHECK(prompt.find("console's middle (") != std::string::npos);
    CHECK(prompt.find("sources listed by name only (") != std::string::npos);
    // Still there: the task, the kernel (its start at least), the cheat sheet, the metrics and the reply format.
    CHECK(prompt.find("## Task\n") != std::string::npos);
    CHECK(prompt.find("### kernel.pxasm (step 6: kernel_file; ") != std::string::npos);
    CHECK(prompt.find("  JZ ra, imm ") != std::string::npos);
    CHECK(prompt.find("| kernel_words | ") != std::string::npos);
    CHECK(prompt.substr(prompt.size() - pxos::reply_format_help().size()) == pxos::reply_format_help());

    // Even a budget below the essentials holds: the prompt is cut, and says so.
    context.budget_bytes = 4096;
    std::string tiny = pxos::build_prompt(context);
    CHECK(tiny.size() <= 4096);
    CHECK(tiny.find("[the prompt was cut here: ") != std::string::npos);
    CHECK(tiny.substr(tiny.size() - pxos::reply_format_help().size()) == pxos::reply_format_help());
}

TEST_CASE("over generations the prompt shows every source of the default roadmap in turn", "[loop][prompt]")
{
    pxos::EvalResult result = full_evaluation();
    std::set<std::string> seen;
    std::set<std::set<std::string>> different;
    for (int generation = 2; generation < 2 + int(default_roadmap().sources.size()); ++generation) {
        // (at 32 KiB the reply format leaves no room for a second source: 40 KiB has it)
        std::string prompt = pxos::build_prompt(context_for(result, 40 * 1024, generation));
        std::set<std::string> shown = shown_sources(prompt);
        CHECK(shown.count("kernel.pxasm") == 1);
        different.insert(shown);
        seen.insert(shown.begin(), shown.end());
    }
    CHECK(different.size() > 1);
    for (const pxos::RoadmapSource& source : default_roadmap().sources) {
        INFO(source.name);
        CHECK(seen.count(source.name) == 1);
    }
}

TEST_CASE("a region's prompt holds only its sources and metrics, and says it may change only its steps",
    "[loop][prompt]")
{
    pxos::EvalResult result = full_evaluation();
    pxos::PromptContext context = context_for(result, 32 * 1024);

    context.region = "kernel";
    std::string kernel = pxos::build_prompt(context);
    CHECK(kernel.size() <= 32 * 1024);
    CHECK(kernel.find("You are the agent of the kernel region: you may change only its steps (6 (install_kernel)) "
                      "and their sources")
        != std::string::npos);
    CHECK(kernel.find("  - step: install_kernel   # step 6 (kernel: yours)\n") != std::string::npos);
    CHECK(kernel.find("### kernel.pxasm (") != std::string::npos);
    CHECK(kernel.find("### user/") == std::string::npos);
    CHECK(kernel.find("\n- user/") == std::string::npos);
    CHECK(kernel.find("\n- programs/") == std::string::npos);
    CHECK(kernel.find("| syscall_round_trip | ") != std::string::npos);
    CHECK(kernel.find("| workload_steps | ") != std::string::npos); // any region's
    CHECK(kernel.find("| scenarios_passed | ") == std::string::npos);
    CHECK(kernel.find("\nadd_process: ") == std::string::npos); // the registry: its steps only

    context.region = "programs";
    std::string programs = pxos::build_prompt(context);
    CHECK(programs.size() <= 32 * 1024);
    CHECK(programs.find("### kernel.pxasm") == std::string::npos);
    CHECK(programs.find("### kernel/") == std::string::npos);
    CHECK(programs.find("\n- kernel/") == std::string::npos); // not even an include of the kernel listed
    CHECK(programs.find("user/sh.pxasm (step 9: program_file") != std::string::npos);
    CHECK(programs.find("| scenarios_passed | ") != std::string::npos);
    CHECK(programs.find("| syscall_round_trip | ") == std::string::npos);
    CHECK(programs.find("Calling convention, as user/ulib.pxasm states it:\n") != std::string::npos);

    context.region = "layout";
    std::string layout = pxos::build_prompt(context);
    CHECK(layout.find("This region's steps assemble no pxasm.\n") != std::string::npos);
    CHECK(layout.find("you may change only its steps (1 (init_background), 2 (layout_regions), ") != std::string::npos);
    CHECK(layout.find("| usertests_passed | ") == std::string::npos);
    CHECK(pxos::build_prompt(context) == layout);
}

TEST_CASE("the prompt gives failing gates with their repairs and the metrics' deltas from the parent's own parent",
    "[loop][prompt]")
{
    pxos::EvalResult result = full_evaluation();
    result.score = 20;
    pxos::Check palette;
    palette.id = "structure.palette";
    palette.max_points = 2;
    palette.message = "3 of 46 palette cells differ from the opcode table; first (0,16): NOP expected (0,0,0,255)";
    result.checks.push_back(palette);
    pxos::PromptContext context = context_for(result, 32 * 1024);
    for (const pxos::MetricValue& value : result.metrics.values)
        if (value.key != "kernel_words")
            context.parent_deltas.push_back({ value.key, value.value, 5 });
    std::string prompt = pxos::build_prompt(context);
    CHECK(prompt.find("## Gates: 20/22\n- structure.palette (2 points) fails: 3 of 46 palette cells differ from the "
                      "opcode table; first (0,16): NOP expected (0,0,0,255) Passes when the 46 palette cells at "
                      "(8i, 16) hold exactly the opcode table's colours, all distinct. Repair: step "
                      "write_isa_palette.\n")
        != std::string::npos);
    CHECK(prompt.find("Repair: step write_opcode_palette") == std::string::npos);
    CHECK(prompt.find("Now: make the failing gates pass") != std::string::npos);
    CHECK(prompt.find("| metric | value | ratio | vs its parent | better | weight | rewards |\n") != std::string::npos);
    CHECK(prompt.find("| usertests_passed | 100 tests | 1.000 | +5 | higher | 3 | ") != std::string::npos);
    CHECK(prompt.find("| kernel_words | 170 words | 1.700 | - | lower | 1 | ") != std::string::npos);

    // Without metrics: the table still says what each rewards, and why nothing was measured.
    pxos::EvalResult gates_only = evaluation();
    gates_only.metrics.skipped = "a gate failed";
    context.evaluation = &gates_only;
    context.parent_deltas.clear();
    std::string unmeasured = pxos::build_prompt(context);
    CHECK(unmeasured.find("Not measured for the parent: a gate failed.\n") != std::string::npos);
    CHECK(unmeasured.find("| kernel_words | - | - | lower | 1 | a smaller kernel that does the same |\n")
        != std::string::npos);
    CHECK(unmeasured.find("It did not run (## Gates says why).\n") != std::string::npos);
}

TEST_CASE("an inline source is shown once, under Sources with line numbers, and elided from the roadmap",
    "[loop][prompt]")
{
    auto roadmap = pxos::parse_roadmap("steps:\n  - step: install_kernel\n    params:\n      kernel_source: \"start:\\n"
                                       "  HALT\\n\"\n  - step: add_process\n    params:\n      program_source: |\n"
                                       "        main:\n          SYSCALL SYS_EXIT\n",
        "dir/r.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap);
    auto sources = pxos::roadmap_sources(*roadmap, pxos::test::files());
    REQUIRE(sources);
    pxos::EvalResult result = full_evaluation();
    pxos::PromptContext context = context_for(result, 32 * 1024);
    context.roadmap_text = pxos::roadmap_to_yaml(*roadmap);
    context.sources = *sources;
    std::string prompt = pxos::build_prompt(context);
    CHECK(prompt.find("      kernel_source: ...   # elided: the source \"step 1: kernel_source\" under Sources\n")
        != std::string::npos);
    CHECK(prompt.find("      program_source: ...   # elided: the source \"step 2: program_source\" under Sources\n")
        != std::string::npos);
    CHECK(prompt.find("### step 1: kernel_source (step 1: kernel_source; 2 lines)\n```pxasm\n1| start:\n2|   HALT\n```\n")
        != std::string::npos);
    CHECK(prompt.find("### step 2: program_source (step 2: program_source; 2 lines)\n") != std::string::npos);
    std::size_t at = prompt.find("## The parent roadmap");
    std::string shown = prompt.substr(at, prompt.find("## Sources") - at);
    CHECK(shown.find("HALT") == std::string::npos);
    CHECK(shown.find("SYSCALL") == std::string::npos);
}

TEST_CASE("the pxasm cheat sheet comes from the opcode, system call and error tables", "[loop][prompt]")
{
    std::string sheet = pxos::pxasm_cheat_sheet({}, pxos::CheatSheetExample::Without);
    for (const pxos::isa::OpcodeInfo& entry : pxos::isa::kOpcodes) {
        INFO(entry.mnemonic);
        std::string form = std::string(entry.mnemonic)
            + (entry.operand_names.empty() ? "" : " " + std::string(entry.operand_names));
        CHECK(sheet.find(fmt::format("\n  {:<20} {}{}\n", form, entry.privileged ? "[kernel] " : "", entry.doc))
            != std::string::npos);
    }
    for (const pxos::SyscallInfo& call : pxos::kSyscalls)
        CHECK(sheet.find(fmt::format("({}){}{}: {}\n", call.number, call.arguments.empty() ? "" : " ", call.arguments,
                  call.doc))
            != std::string::npos);
    for (const pxos::abi::ErrorInfo& error : pxos::abi::kErrors)
        CHECK(sheet.find(fmt::format(" ERR_{} {}", error.symbol, error.value)) != std::string::npos);
    CHECK(sheet.find("Example (") == std::string::npos);
    CHECK(sheet.find("Calling convention") == std::string::npos); // no source, no convention
}

TEST_CASE("a retry prompt is the first prompt, then the rejected reply's numbered lines and its exact errors", "[loop][prompt][replies]")
{
    CHECK(pxos::retry_prompt("PROMPT\n", "```yaml\nsteps: [x]\n```\n", "reply:2:5: error: unknown step 'x'\n")
        == "PROMPT\n\n## Your previous reply was rejected\nYour reply, its lines numbered as the errors name them "
           "(reply:LINE:COLUMN):\n   1 | ```yaml\n   2 | steps: [x]\n   3 | ```\n\nIts errors:\n"
           "reply:2:5: error: unknown step 'x'\n"
           "Reply again with the errors fixed (patches, one ```yaml block, or both, as the reply format says).\n");
}

