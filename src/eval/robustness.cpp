// The robustness probes: hostile processes injected into copies of the
// image (as the isolation group's, probes.cpp), each attacking one part of
// the kernel: bad pointers and lengths into the system calls, spawn without
// end, descriptor and pipe exhaustion, sbrk past its memory, stores at the
// store and the process table, a stack overflow. A probe passes when the
// kernel goes on, the probe got an error or faulted, and the rest of the OS
// is intact (robustness_verdict).
#include "eval/robustness.hpp"

#include "eval/metric_runs.hpp"
#include "eval/suite_support.hpp"

#include "pxos/asm/assembler.hpp"
#include "pxos/asm/program_file.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/store/store.hpp"
#include "pxos/vm/run_report.hpp"

#include <algorithm>

namespace pxos {

namespace {

// One system call that must fail: `setup` loads r1..r3, then the call; a
// call that succeeds ends the probe with exit(its number, from 1).
struct BadCall {
    std::string setup;
    std::string call;
};

// A probe whose calls must each return an error; then it exits with 0.
// `data` is pxasm placed after the code.
std::string calls_probe(const std::vector<BadCall>& calls, const std::string& prologue = "", const std::string& data = "")
{
    std::string source = "main:\n" + prologue;
    for (std::size_t i = 0; i < calls.size(); ++i)
        source += fmt::format("{}    SYSCALL {}\n    LI r7, 0\n    BLT r0, r7, failed_{}\n    LI r1, {}\n"
                              "    SYSCALL SYS_EXIT\nfailed_{}:\n",
            calls[i].setup, calls[i].call, i, i + 1, i);
    return source + "    LI r1, 0\n    SYSCALL SYS_EXIT\n" + data;
}

// The words of a probe's memory: inject gives it 4 rows from `main`.
std::uint32_t probe_words(int width)
{
    return 4 * std::uint32_t(width);
}
// Words guarded at each place a probe's pointers aim.
constexpr std::uint32_t kGuardedWords = 64;

std::string set(int reg, const std::string& value)
{
    return fmt::format("    LI r{}, {}\n", reg, value);
}

// The self-spawning program file the spawn probe starts (`/spawn-bomb`):
// spawns itself until spawn fails, then exits 0.
constexpr std::string_view kBombPath = "/spawn-bomb";
constexpr std::string_view kBombSource = "main:\n"
                                         "    LI r1, path\n    LI r2, 0\n    SYSCALL SYS_SPAWN\n"
                                         "    LI r7, 0\n    BGE r0, r7, main\n"
                                         "    LI r1, 0\n    SYSCALL SYS_EXIT\n"
                                         "path: .stringz \"/spawn-bomb\"\n";

std::vector<RobustnessProbe> probe_table(const BootHeader& h, int width, std::uint32_t memory_words)
{
    const std::uint32_t kProbeWords = probe_words(width);
    const std::string kernel = "REGION_KERNEL";
    const std::string past = fmt::format("{}", memory_words - 2); // the last words of the image and beyond
    const std::string wild = "0xfffffff0";
    const std::string near_end = fmt::format("main + {}", kProbeWords - 2); // 2 words before the probe's limit
    const std::string beyond = fmt::format("main + {}", kProbeWords + 64); // past the probe's limit
    std::vector<RobustnessProbe> probes;
    auto add = [&](std::string id, std::string what, std::string source, RobustnessProbe::Expect expect) {
        RobustnessProbe probe;
        probe.id = std::move(id);
        probe.what = std::move(what);
        probe.source = std::move(source);
        probe.expect = expect;
        probes.push_back(std::move(probe));
    };
    using E = RobustnessProbe::Expect;
    add("write-bad-buffer", "write from the kernel, past the probe's memory and past the image",
        calls_probe({ { set(1, "1") + set(2, kernel) + set(3, "4"), "SYS_WRITE" },
            { set(1, "1") + set(2, near_end) + set(3, "16"), "SYS_WRITE" },
            { set(1, "1") + set(2, beyond) + set(3, "4"), "SYS_WRITE" },
            { set(1, "1") + set(2, past) + set(3, "8"), "SYS_WRITE" },
            { set(1, "1") + set(2, wild) + set(3, "32"), "SYS_WRITE" } }),
        E::Errors);
    add("write-bad-length", "write with a huge and a negative length from near the end of its memory",
        calls_probe({ { set(1, "1") + set(2, near_end) + set(3, "0x7fffffff"), "SYS_WRITE" },
            { set(1, "1") + set(2, near_end) + set(3, "-1"), "SYS_WRITE" },
            { set(1, "1") + set(2, near_end) + set(3, "-2147483648"), "SYS_WRITE" } }),
        E::Errors);
    add("read-bad-buffer", "read into the kernel, past its memory, with a huge length",
        calls_probe({ { set(1, "0") + set(2, kernel) + set(3, "4"), "SYS_READ" },
            { set(1, "0") + set(2, beyond) + set(3, "4"), "SYS_READ" },
            { set(1, "0") + set(2, near_end) + set(3, "0x7fffffff"), "SYS_READ" },
            { set(1, "0") + set(2, wild) + set(3, "4"), "SYS_READ" } }),
        E::Errors);
    add("open-bad-path", "open a path in the kernel, past the image, and one running off its memory",
        calls_probe({ { set(1, kernel) + set(2, "O_READ"), "SYS_OPEN" },
                        { set(1, wild) + set(2, "O_READ"), "SYS_OPEN" },
                        { set(1, near_end) + set(2, "O_READ"), "SYS_OPEN" },
                        { set(1, fmt::format("{}", h.process_table)) + set(2, "7"), "SYS_OPEN" } },
            // The last two words of its memory: a path with no end inside it.
            set(5, near_end) + set(6, "0x41") + "    STORE r6, r5, 0\n    STORE r6, r5, 1\n"),
        E::Errors);
    add("spawn-bad-pointers", "spawn with a path and an argv in the kernel and past its memory",
        calls_probe({ { set(1, kernel) + set(2, "0"), "SYS_SPAWN" }, { set(1, "echo") + set(2, kernel), "SYS_SPAWN" },
                        { set(1, "echo") + set(2, "bad_argv"), "SYS_SPAWN" }, { set(1, beyond) + set(2, "0"), "SYS_SPAWN" },
                        { set(1, "echo") + set(2, wild), "SYS_SPAWN" } },
            "", "echo: .stringz \"/bin/echo\"\nbad_argv: .word REGION_KERNEL, 0\n"),
        E::Errors);
    add("exec-bad-pointers", "exec with a path and an argv in the kernel and past its memory",
        calls_probe({ { set(1, kernel) + set(2, "0"), "SYS_EXEC" }, { set(1, "echo") + set(2, kernel), "SYS_EXEC" },
                        { set(1, "echo") + set(2, "bad_argv"), "SYS_EXEC" }, { set(1, wild) + set(2, "0"), "SYS_EXEC" } },
            "", "echo: .stringz \"/bin/echo\"\nbad_argv: .word " + beyond + ", 0\n"),
        E::Errors);
    add("pipe-fstat-readdir-bad-pointers", "pipe, fstat and readdir results aimed at the kernel and past its memory",
        calls_probe({ { set(1, kernel), "SYS_PIPE" }, { set(1, fmt::format("main + {}", kProbeWords - 1)), "SYS_PIPE" },
                        { set(1, wild), "SYS_PIPE" }, { set(1, "1") + set(2, kernel), "SYS_FSTAT" },
                        { set(1, "1") + set(2, near_end), "SYS_FSTAT" }, { "    MOV r1, r10\n" + set(2, kernel), "SYS_READDIR" },
                        { "    MOV r1, r10\n" + set(2, near_end), "SYS_READDIR" } },
            set(1, "root") + set(2, "O_READ") + "    SYSCALL SYS_OPEN\n    MOV r10, r0\n", "root: .stringz \"/\"\n"),
        E::Errors);
    add("descriptor-exhaustion", "opens /README and dups descriptors until the kernel says no",
        "main:\n    LI r10, 40\nopen_more:\n    LI r1, readme\n    LI r2, O_READ\n    SYSCALL SYS_OPEN\n"
        "    LI r7, 0\n    BLT r0, r7, dup_more\n    ADDI r10, r10, -1\n    JNZ r10, open_more\n"
        "    LI r1, 1\n    SYSCALL SYS_EXIT\n"
        "dup_more:\n    LI r1, 0\n    SYSCALL SYS_DUP\n    LI r7, 0\n    BGE r0, r7, dup_failed\n"
        "    LI r1, 0\n    SYSCALL SYS_EXIT\n"
        "dup_failed:\n    LI r1, 2\n    SYSCALL SYS_EXIT\n"
        "readme: .stringz \"/README\"\n",
        E::Errors);
    add("pipe-exhaustion", "makes pipes until the kernel's pipe table or its descriptors run out",
        "main:\n    LI r10, 40\nmore:\n    LI r1, fds\n    SYSCALL SYS_PIPE\n    LI r7, 0\n    BLT r0, r7, out\n"
        "    LI r1, fds\n    LOAD r1, r1, 0\n    SYSCALL SYS_CLOSE\n"
        "    ADDI r10, r10, -1\n    JNZ r10, more\n    LI r1, 1\n    SYSCALL SYS_EXIT\n"
        "out:\n    LI r1, 0\n    SYSCALL SYS_EXIT\nfds: .word 0, 0\n",
        E::Errors);
    add("sbrk-beyond-memory", "sbrk far past its memory, far below it, and any heap for a placed process",
        calls_probe({ { set(1, "0x10000000"), "SYS_SBRK" }, { set(1, "-268435456"), "SYS_SBRK" },
            { set(1, "0x7fffffff"), "SYS_SBRK" }, { set(1, "1"), "SYS_SBRK" } }),
        E::Errors);
    add("spawn-without-end", "spawns a program file that spawns itself until the process table is full",
        fmt::format("main:\n    LI r10, 40\nagain:\n    LI r1, bomb\n    LI r2, 0\n    SYSCALL SYS_SPAWN\n"
                    "    LI r7, 0\n    BLT r0, r7, full\n    ADDI r10, r10, -1\n    JNZ r10, again\n"
                    "    LI r1, 1\n    SYSCALL SYS_EXIT\nfull:\n    LI r1, 0\n    SYSCALL SYS_EXIT\n"
                    "bomb: .stringz \"{}\"\n",
            kBombPath),
        E::Errors);
    add("kill-bad-pids", "kill pid 0, a negative pid and pids past the table",
        calls_probe({ { set(1, "0"), "SYS_KILL" }, { set(1, "-1"), "SYS_KILL" }, { set(1, "17"), "SYS_KILL" },
            { set(1, "0x7fffffff"), "SYS_KILL" } }),
        E::Errors);
    add("store-region-write", "stores a word into the store's superblock",
        fmt::format("main:\n    LI r1, {}\n    LI r2, 0x12345678\n    STORE r2, r1, 0\n    LI r1, 0\n    SYSCALL SYS_EXIT\n",
            h.store_base),
        E::Fault);
    probes.back().guarded_begin = h.store_base;
    probes.back().guarded_end = h.store_base + std::min<std::uint32_t>(h.store_words, 512);
    probes.back().guarded_name = "store's superblock";
    add("process-table-write", "stores over the first process's PCB",
        fmt::format("main:\n    LI r1, {}\n    LI r2, 0\n    STORE r2, r1, PCB_BASE\n    STORE r2, r1, PCB_LIMIT\n"
                    "    LI r1, 0\n    SYSCALL SYS_EXIT\n",
            h.process_table),
        E::Fault);
    probes.back().guarded_begin = h.process_table + std::uint32_t(isa::PcbField::Base);
    probes.back().guarded_end = h.process_table + std::uint32_t(isa::PcbField::Limit) + 1;
    probes.back().guarded_name = "first process's base and limit";
    add("stack-overflow", "calls itself until its stack runs out", "main:\n    PUSH r1\n    CALL main\n", E::Fault);
    return probes;
}

// Puts the self-spawning program file into the copy's store.
std::string add_bomb(SimulatedVRAM& copy, const std::string& name)
{
    AssembleOptions options;
    options.vram_width = copy.width();
    options.vram_height = copy.height();
    options.relocatable = true;
    auto program = probe_assemblies().assemble(kBombSource, "spawn-bomb.pxasm", options);
    if (!program)
        return "internal: the spawn bomb does not assemble: " + program.error().message();
    auto words = program_file_words(*program, "spawn-bomb");
    if (!words)
        return "internal: " + words.error().message();
    auto store = store::read_store(copy, name);
    if (!store)
        return "the image has no store to put the spawn bomb in: " + store.error().message();
    auto opened = store::Store::open(store->words, name + ": store");
    if (!opened)
        return "the image's store cannot be opened: " + opened.error().message();
    if (auto written = opened->write_file(kBombPath, *words, store::Parents::Required); !written)
        return "the spawn bomb does not fit the store: " + written.error().message();
    if (auto back = store::write_store(copy, *store); !back)
        return "internal: " + back.error().message();
    return "";
}

bool ended(const ProcessInfo& process)
{
    return process.state == std::uint32_t(isa::ProcessState::Exited)
        || process.state == std::uint32_t(isa::ProcessState::Faulted);
}

} // namespace

std::vector<RobustnessProbe> robustness_probes(const BootHeader& header, int width, std::uint32_t memory_words)
{
    return probe_table(header, width, memory_words);
}

std::optional<std::string> robustness_verdict(const RobustnessProbe& probe, const RobustnessRun& run,
    const SimulatedVRAM& image, const std::string& name)
{
    int width = image.width();
    std::vector<std::string> problems;
    if (run.panic)
        problems.push_back("kernel panic: " + describe_fault(*run.panic, width, nullptr));
    const ProcessInfo* self = nullptr;
    for (const ProcessInfo& process : run.processes)
        if (process.pid == run.pid)
            self = &process;
    if (!self || !ended(*self)) {
        problems.push_back(fmt::format("the probe (pid {}) did not end within {} steps", run.pid, run.steps));
    } else if (probe.expect == RobustnessProbe::Expect::Fault) {
        if (self->state != std::uint32_t(isa::ProcessState::Faulted))
            problems.push_back(fmt::format("the probe exited with {} instead of faulting", self->exit_code));
    } else if (self->state == std::uint32_t(isa::ProcessState::Exited) && self->exit_code != 0) {
        problems.push_back(fmt::format("its call {} succeeded where it should have failed", self->exit_code));
    }
    if (self && self->base != run.base)
        problems.push_back(fmt::format("the probe's memory moved to {} (an exec that should have failed ran)",
            format_address(self->base, width)));
    for (std::uint32_t pid : run.original_pids) {
        auto found = std::find_if(run.processes.begin(), run.processes.end(),
            [&](const ProcessInfo& process) { return process.pid == pid; });
        if (found == run.processes.end())
            problems.push_back(fmt::format("pid {} is gone", pid));
        else if (found->state == std::uint32_t(isa::ProcessState::Faulted))
            problems.push_back(fmt::format("pid {} faulted ({})", pid, isa::trap_cause_name(std::uint32_t(found->exit_code))));
        else if (found->state == std::uint32_t(isa::ProcessState::Exited) && found->exit_code != 0)
            problems.push_back(fmt::format("pid {} exited with {}", pid, found->exit_code));
    }
    if (run.halted && !run.panic)
        for (std::uint32_t pid : run.original_pids)
            for (const ProcessInfo& process : run.processes)
                if (process.pid == pid && !ended(process)) {
                    problems.push_back(fmt::format("the kernel halted before pid {} ended", pid));
                    break;
                }
    if (run.output.find(kHelloLine) == std::string::npos)
        problems.push_back(fmt::format("the console lacks \"{}\" (it ends \"{}\")", kHelloLine, output_tail(run.output)));
    if (run.after) {
        if (std::string store = store_problems(*run.after, image, name); !store.empty())
            problems.push_back("the store's check fails: " + store);
        auto guard = [&](std::uint32_t begin, std::uint32_t end, const std::string& what) {
            end = std::min<std::uint32_t>(end, std::uint32_t(image.pixel_count()));
            for (std::uint32_t address = begin; address < end; ++address)
                if (run.after->words()[address] != image.words()[address]) {
                    problems.push_back(fmt::format("the {} changed at {}", what, format_address(address, width)));
                    return;
                }
        };
        // What the probes aim their pointers at, outside their own memory:
        // the kernel's first words (REGION_KERNEL), the syscall table, the
        // words just past the probe's memory, the image's last words. (The
        // rest of the kernel region holds the kernel's variables too, which
        // change as it runs.)
        std::uint32_t kernel_begin = region_rows(RegionId::Kernel, width).first;
        guard(kernel_begin, kernel_begin + kGuardedWords, "kernel's first words");
        if (auto header = read_header(image, name))
            guard(header->syscall_table, header->syscall_table + header->syscall_count, "syscall table");
        guard(run.base + probe_words(width), run.base + probe_words(width) + 2 * kGuardedWords, "memory past the probe's");
        guard(std::uint32_t(image.pixel_count()) - kGuardedWords, std::uint32_t(image.pixel_count()), "image's last words");
        if (probe.guarded_end > probe.guarded_begin)
            guard(probe.guarded_begin, probe.guarded_end, probe.guarded_name);
    } else {
        problems.push_back("no after-image");
    }
    if (problems.empty())
        return std::nullopt;
    return fmt::format("{}", fmt::join(problems, "; "));
}

SuiteOutcome run_robustness_probes(const SimulatedVRAM& image, const std::string& name, std::uint64_t max_steps,
    Deadline& deadline, Executor* executor)
{
    SuiteOutcome outcome;
    auto boot = read_boot_image(image, name);
    if (!boot) {
        outcome.failures.push_back("the image does not boot: " + boot.error().message());
        return outcome;
    }
    const BootHeader& header = boot->header;
    std::vector<RobustnessProbe> probes = probe_table(header, image.width(), std::uint32_t(image.pixel_count()));
    outcome.total = int(probes.size());
    std::vector<std::uint32_t> original_pids;
    {
        const std::uint32_t* words = image.words();
        for (std::uint32_t slot = 0; slot < header.process_slots; ++slot) {
            std::uint32_t state = words[header.process_table + slot * header.pcb_words + int(isa::PcbField::State)];
            if (state != std::uint32_t(isa::ProcessState::Free) && state != std::uint32_t(isa::ProcessState::Dormant))
                original_pids.push_back(abi::pid_of_slot(slot));
        }
    }
    struct Ran {
        std::optional<std::string> failure;
        std::uint64_t steps = 0;
    };
    std::vector<Ran> ran(probes.size());
    const std::uint64_t budget = std::min<std::uint64_t>(max_steps, RobustnessProbe::kMaxSteps);
    SerialExecutor serial;
    Executor& run_on = executor ? *executor : serial;
    run_on.run_all(probes.size(), probes.size(), [&](std::size_t i) {
        const RobustnessProbe& spec = probes[i];
        Probe probe;
        probe.what = spec.id;
        probe.source = spec.source;
        inject(probe, image, header);
        if (!probe.image) {
            ran[i].failure = "cannot inject the probe: " + probe.problem;
            return;
        }
        if (spec.id == "spawn-without-end")
            if (std::string problem = add_bomb(*probe.image, name); !problem.empty()) {
                ran[i].failure = problem;
                return;
            }
        auto machine = Machine::boot(std::move(*probe.image), name);
        if (!machine) {
            ran[i].failure = "the probe's copy does not boot: " + machine.error().message();
            return;
        }
        RunResult result;
        bool in_time = true;
        std::optional<std::uint64_t> ended_at;
        // Until the probe ended, then a margin for the others to go on.
        while (in_time && !(*machine)->halted() && (*machine)->steps() < budget) {
            std::uint64_t until = ended_at ? *ended_at + RobustnessProbe::kMarginSteps : (*machine)->steps() + 5'000;
            if ((*machine)->steps() >= until)
                break;
            in_time = run_until(**machine, std::min(until, budget), deadline, result);
            if (!ended_at)
                for (const ProcessInfo& process : (*machine)->processes())
                    if (process.pid == probe.pid && ended(process))
                        ended_at = (*machine)->steps();
        }
        ran[i].steps = (*machine)->steps();
        if (!in_time) {
            ran[i].failure = fmt::format("stopped at step {}: the evaluation reached {}", (*machine)->steps(), deadline.cap());
            return;
        }
        RobustnessRun run;
        run.pid = probe.pid;
        run.base = probe.base;
        run.steps = (*machine)->steps();
        run.halted = (*machine)->halted();
        run.panic = result.panic;
        run.processes = (*machine)->processes();
        run.output = (*machine)->console_output();
        run.after = &(*machine)->vram();
        run.original_pids = original_pids;
        ran[i].failure = robustness_verdict(spec, run, image, name);
    });
    for (std::size_t i = 0; i < ran.size(); ++i) {
        outcome.steps += ran[i].steps;
        if (!ran[i].failure) {
            ++outcome.passed;
            outcome.passed_ids.push_back("robustness." + probes[i].id);
        } else if (outcome.failures.size() < kSuiteFailuresKept) {
            outcome.failures.push_back(probes[i].id + ": " + *ran[i].failure);
        }
    }
    return outcome;
}

} // namespace pxos
