#include "pxos/roadmap/build.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace pxos {

namespace {

// Counts pixels written and passes every notification on.
class CountingObserver final : public WriteObserver {
public:
    explicit CountingObserver(WriteObserver* next) : m_next(next) { }
    void will_write(const SimulatedVRAM& vram, const Rect& rect) override
    {
        if (m_next)
            m_next->will_write(vram, rect);
    }
    void did_write(const SimulatedVRAM& vram, const Rect& rect) override
    {
        m_pixels += rect.area();
        if (m_next)
            m_next->did_write(vram, rect);
    }
    std::int64_t take_count() { return std::exchange(m_pixels, 0); }

private:
    WriteObserver* m_next;
    std::int64_t m_pixels = 0;
};

// The error for a step whose write the build work cap refused (before it
// was done); the step's own error, if any, only followed from it.
Error work_cap_error(const SimulatedVRAM& vram, std::uint64_t limit, std::size_t index, const StepCall& call)
{
    const Rect& refused = *vram.refused_write();
    std::uint64_t written = limit - vram.write_budget();
    return Error::bad_input(call.location,
        fmt::format("step {} '{}': writing {}x{} pixels at ({},{}) would take the build to {} pixels written, over {}",
            index + 1, call.label, refused.width, refused.height, refused.x, refused.y,
            written + std::uint64_t(refused.area()), cap_text(Cap::BuildPixels, limit)));
}

} // namespace

Result<BuildResult> build_roadmap(const Roadmap& roadmap, const BuildOptions& options)
{
    SteadyClock steady_clock;
    Clock& clock = options.clock ? *options.clock : steady_clock;
    double started = clock.now_ms();

    auto created = SimulatedVRAM::create(roadmap.metadata.vram_width, roadmap.metadata.vram_height, options.limits);
    if (!created)
        return Error::bad_input(roadmap.path, created.error().diagnostics().front().message);
    BuildResult result { std::move(created).value(), BuildReport {}, BuildContext {}, SourceMap {} };
    SimulatedVRAM& vram = result.vram;
    BuildContext& context = result.context;
    BuildReport& report = result.report;
    report.roadmap_name = roadmap.metadata.name;
    report.roadmap_path = roadmap.path;
    report.width = vram.width();
    report.height = vram.height();

    CountingObserver counter(options.write_observer);
    vram.set_observer(&counter);
    // The work cap counts every pixel every step writes; the VRAM refuses a
    // write before it is done, so a huge fill never runs.
    const std::uint64_t work_cap = options.limits.max_build_pixels;
    vram.set_write_budget(work_cap);
    context.set("vram_width", std::int64_t(vram.width()));
    context.set("vram_height", std::int64_t(vram.height()));
    std::string folder = std::filesystem::path(roadmap.path).parent_path().string();
    context.set("roadmap_folder", folder.empty() ? std::string(".") : folder);
    context.take_keys_set();

    for (std::size_t index = 0; index < roadmap.steps.size(); ++index) {
        const StepCall& call = roadmap.steps[index];
        if (!call.definition || !call.definition->function)
            return Error::internal(fmt::format("step {} ('{}') has no function", index + 1, call.label));
        if (options.observer)
            options.observer->step_started(index, roadmap.steps.size(), call);

        double step_started = clock.now_ms();
        for (const auto& [name, value] : call.params)
            context.set(name, value);
        StepContext step(vram, context, *call.definition, call.params, result.source_map, options.code_limits,
            call.location.to_string(), options.files, options.assemblies);
        auto outcome = call.definition->function(step);
        if (vram.refused_write()) {
            vram.set_observer(nullptr);
            return work_cap_error(vram, work_cap, index, call);
        }
        if (!outcome.ok()) {
            vram.set_observer(nullptr);
            std::vector<Diagnostic> diagnostics = outcome.error().diagnostics();
            for (Diagnostic& diagnostic : diagnostics) {
                diagnostic.message = fmt::format("step {} '{}': {}", index + 1, call.label, diagnostic.message);
                // An error without a place, or at the step (steps name it as
                // step.where(), its text), is at the step's roadmap entry.
                if (diagnostic.where.empty() || diagnostic.where == step.where())
                    diagnostic = Diagnostic { diagnostic.severity, call.location, std::move(diagnostic.message) };
            }
            return Error(outcome.error().kind(), std::move(diagnostics));
        }

        StepReport step_report;
        step_report.index = index;
        step_report.label = call.label;
        step_report.step = std::string(call.definition->name);
        step_report.duration_ms = clock.now_ms() - step_started;
        step_report.pixels_written = counter.take_count();
        step_report.context_keys_set = context.take_keys_set();
        if (options.observer) {
            auto observed = options.observer->step_finished(step_report, vram);
            if (!observed.ok()) {
                vram.set_observer(nullptr);
                return std::move(observed).error();
            }
        }
        report.steps.push_back(std::move(step_report));
    }
    vram.set_observer(nullptr);
    vram.set_write_budget(SimulatedVRAM::kNoBudget); // the image is the caller's now
    report.total_ms = clock.now_ms() - started;
    return result;
}

} // namespace pxos
