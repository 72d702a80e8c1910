#include "window.hpp"

#include "commands.hpp"
#include "terminal.hpp"

#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/view/terminal_view.hpp"

#include <cstdio>
#include <fmt/format.h>

#ifdef PXOS_HAVE_SDL2
#include <SDL2/SDL.h>
#include <algorithm>
#include <cstdlib>
#include <dlfcn.h>
#include <optional>
#include "pxos/image/layout.hpp"
#include "pxos/view/render.hpp"
#endif

namespace pxos::cli {

#ifndef PXOS_HAVE_SDL2

bool window_supported()
{
    return false;
}

int run_window(const SimulatedVRAM&, const std::string&, const Palette*, const WindowOptions&)
{
    return report_error(Error::usage("this pxos was built without SDL2: install libsdl2-dev and rebuild for --window"));
}

#else

bool window_supported()
{
    return true;
}

namespace {

// Font dots per window pixel of the region names (the 5x7 font: 12 pixels a character).
constexpr int kWindowTextSize = 2;

// SDL2 is opened when a window is asked for, not linked: linked, it made
// every start of pxos load 57 libraries (X11, Wayland, PulseAudio, ...) and
// take 7.7-8.6 ms instead of 2.5. The functions used, one list:
#define PXOS_SDL_FUNCTIONS(X)                                                                                          \
    X(SDL_Init)                                                                                                        \
    X(SDL_Quit)                                                                                                        \
    X(SDL_GetError)                                                                                                    \
    X(SDL_CreateWindow)                                                                                                \
    X(SDL_SetWindowTitle)                                                                                              \
    X(SDL_DestroyWindow)                                                                                               \
    X(SDL_CreateRenderer)                                                                                              \
    X(SDL_DestroyRenderer)                                                                                             \
    X(SDL_CreateTexture)                                                                                               \
    X(SDL_DestroyTexture)                                                                                              \
    X(SDL_UpdateTexture)                                                                                               \
    X(SDL_RenderClear)                                                                                                 \
    X(SDL_RenderCopy)                                                                                                  \
    X(SDL_RenderPresent)                                                                                               \
    X(SDL_RenderReadPixels)                                                                                            \
    X(SDL_WaitEventTimeout)

struct Sdl {
#define PXOS_SDL_POINTER(name) decltype(&::name) name = nullptr;
    PXOS_SDL_FUNCTIONS(PXOS_SDL_POINTER)
#undef PXOS_SDL_POINTER
};

// The library's functions, or why they cannot be had.
Result<const Sdl*> load_sdl()
{
    static const Result<const Sdl*> loaded = []() -> Result<const Sdl*> {
        static Sdl sdl;
        void* library = ::dlopen("libSDL2-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!library)
            return Error::io("", fmt::format("cannot open a window: SDL2 is not installed ({}); on Debian: apt install "
                                             "libsdl2-2.0-0",
                                     ::dlerror()));
#define PXOS_SDL_RESOLVE(name)                                                                                         \
    sdl.name = reinterpret_cast<decltype(sdl.name)>(::dlsym(library, #name));                                          \
    if (!sdl.name)                                                                                                     \
        return Error::io("", "cannot open a window: the SDL2 library has no " #name);
        PXOS_SDL_FUNCTIONS(PXOS_SDL_RESOLVE)
#undef PXOS_SDL_RESOLVE
        return &sdl;
    }();
    return loaded;
}

ViewKey key_of(SDL_Keycode key)
{
    switch (key) {
    case SDLK_UP:
    case SDLK_k: return ViewKey::Up;
    case SDLK_DOWN:
    case SDLK_j: return ViewKey::Down;
    case SDLK_LEFT:
    case SDLK_h: return ViewKey::Left;
    case SDLK_RIGHT:
    case SDLK_l: return ViewKey::Right;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS: return ViewKey::ZoomIn;
    case SDLK_MINUS:
    case SDLK_KP_MINUS: return ViewKey::ZoomOut;
    case SDLK_r: return ViewKey::Reset;
    case SDLK_g: return ViewKey::Outlines;
    case SDLK_i: return ViewKey::Inspector;
    case SDLK_q:
    case SDLK_ESCAPE: return ViewKey::Quit;
    default: return ViewKey::Other;
    }
}

// The window's pixels for the view: one screen pixel per half-block pixel
// of the terminal model, so zoom and panning behave the same. With the
// outlines on, each region's name sits at its top-left corner on a dark box,
// as `[name]` does in the terminal.
SimulatedVRAM frame_pixels(const SimulatedVRAM& image, const ViewState& state, int width, int height)
{
    SimulatedVRAM frame = SimulatedVRAM::create(width, height, VRAMLimits { VRAMLimits::kMaxDimension, VRAMLimits::kHardMaxBytes })
                              .value(); // the window's own size, far below the hard caps
    std::uint32_t* pixels = frame.mutable_words(); // a fresh frame: nobody observes it
    int numerator = state.zoom >= 0 ? 1 : 1 << -state.zoom;
    int denominator = state.zoom >= 0 ? 1 << state.zoom : 1;
    for (int sy = 0; sy < height; ++sy)
        for (int sx = 0; sx < width; ++sx) {
            int x = state.origin_x + sx * numerator / denominator, y = state.origin_y + sy * numerator / denominator;
            if (!image.contains(x, y))
                continue;
            RGBA pixel = image.pixel_unchecked(x, y);
            pixel.a = 255;
            if (state.outlines)
                for (const Region& region : layout_regions())
                    if (region.rect.contains(x, y) && (x == region.rect.x || y == region.rect.y))
                        pixel = RGBA { 255, 255, 255, 255 };
            pixels[std::size_t(sy) * std::size_t(width) + std::size_t(sx)] = pixel.to_word();
        }
    if (state.outlines) {
        // Big letters where the region is tall enough on screen, small ones
        // where not; a label that would cover an earlier one moves right of it.
        std::vector<Rect> drawn;
        for (const Region& region : layout_regions()) {
            if (region.rect.intersected(image.bounds()).empty())
                continue;
            int sx = (region.rect.x - state.origin_x) * denominator / numerator;
            int sy = (region.rect.y - state.origin_y) * denominator / numerator;
            int screen_height = region.rect.height * denominator / numerator;
            if (sx < 0 || sy < 0 || sx >= width || sy >= height)
                continue;
            int size = screen_height >= 9 * kWindowTextSize + 2 ? kWindowTextSize : 1;
            Rect box { sx + 1, sy + 1, int(region.name.size()) * 6 * size + 3 * size, 9 * size };
            for (const Rect& earlier : drawn)
                if (!box.intersected(earlier).empty())
                    box.x = std::max(box.x, earlier.x + earlier.width + 4);
            frame.fill_rect(box, RGBA { 0, 0, 0, 255 });
            draw_text(frame, box.x + 2 * size, box.y + size, region.name, RGBA { 255, 255, 255, 255 }, size);
            drawn.push_back(box);
        }
    }
    if (state.inspector) { // a crosshair on the inspected pixel
        auto [x, y] = inspected_pixel(state, image.width(), image.height());
        int cx = (x - state.origin_x) * denominator / numerator, cy = (y - state.origin_y) * denominator / numerator;
        for (int d = -6; d <= 6; ++d) {
            if (cx + d >= 0 && cx + d < width && cy >= 0 && cy < height)
                pixels[std::size_t(cy) * std::size_t(width) + std::size_t(cx + d)] = RGBA { 255, 0, 255, 255 }.to_word();
            if (cy + d >= 0 && cy + d < height && cx >= 0 && cx < width)
                pixels[std::size_t(cy + d) * std::size_t(width) + std::size_t(cx)] = RGBA { 255, 0, 255, 255 }.to_word();
        }
    }
    return frame;
}

// Why no window can be shown here, before SDL is asked: with neither X11
// nor Wayland to talk to (and no driver named), SDL's fallbacks draw into
// nothing, and a viewer that cannot be seen cannot be quit with q either.
std::optional<std::string> missing_display(bool once)
{
    const char* driver = std::getenv("SDL_VIDEODRIVER");
    bool named = driver && *driver;
    auto set = [](const char* name) { return std::getenv(name) && *std::getenv(name); };
    if (!named && !set("DISPLAY") && !set("WAYLAND_DISPLAY"))
        return std::string("--window needs a display: DISPLAY and WAYLAND_DISPLAY are unset (the terminal viewer "
                           "works without one; SDL_VIDEODRIVER=dummy with --screenshot FILE.png saves a frame headless)");
    if (named && !once && (std::string_view(driver) == "dummy" || std::string_view(driver) == "offscreen"))
        return fmt::format("SDL_VIDEODRIVER={} shows no window: use it with --screenshot FILE.png (or --once)", driver);
    return std::nullopt;
}

} // namespace

int run_window(const SimulatedVRAM& image, const std::string& title, const Palette* palette, const WindowOptions& options)
{
    if (auto problem = missing_display(options.once))
        return report_error(Error::usage(*problem));
    auto library = load_sdl();
    if (!library)
        return report_error(library.error());
    const Sdl& sdl = **library;
    if (sdl.SDL_Init(SDL_INIT_VIDEO) != 0)
        return report_error(Error::io("", std::string("cannot open a window: ") + sdl.SDL_GetError()));
    int width = options.width, height = options.height;
    SDL_Window* window = sdl.SDL_CreateWindow(("pxos view: " + title).c_str(), SDL_WINDOWPOS_UNDEFINED,
        SDL_WINDOWPOS_UNDEFINED, width, height, 0);
    SDL_Renderer* renderer = window ? sdl.SDL_CreateRenderer(window, -1, 0) : nullptr;
    // Bytes r,g,b,a in memory: ABGR8888 on a little-endian machine.
    SDL_Texture* texture = renderer ? sdl.SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STREAMING,
                                          width, height)
                                    : nullptr;
    if (!texture) {
        std::string problem = sdl.SDL_GetError();
        sdl.SDL_Quit();
        return report_error(Error::io("", "cannot open a window: " + problem));
    }
    ViewState state;
    state.columns = width;
    state.rows = height / 2 + 1;
    fit_view(state, image.width(), image.height());
    state.outlines = options.outlines;
    int status = 0;
    bool dirty = true;
    while (!state.quit) {
        if (dirty) {
            SimulatedVRAM frame = frame_pixels(image, state, width, height);
            sdl.SDL_UpdateTexture(texture, nullptr, frame.words(), width * 4);
            sdl.SDL_RenderClear(renderer);
            sdl.SDL_RenderCopy(renderer, texture, nullptr, nullptr);
            sdl.SDL_RenderPresent(renderer);
            auto [x, y] = inspected_pixel(state, image.width(), image.height());
            sdl.SDL_SetWindowTitle(window, ("pxos view: " + title + "  " + view_status(image, state, palette, x, y)).c_str());
            dirty = false;
        }
        if (options.once) {
            if (!options.screenshot.empty()) {
                std::vector<std::uint32_t> read_back(std::size_t(width) * std::size_t(height));
                sdl.SDL_RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_ABGR8888, read_back.data(), width * 4);
                auto shot = SimulatedVRAM::from_words(width, height, std::move(read_back));
                ThreadExecutor executor;
                if (!shot || !save_png(host_files(), options.screenshot, *shot, executor))
                    status = 74;
            }
            break;
        }
        SDL_Event event;
        if (!sdl.SDL_WaitEventTimeout(&event, 200))
            continue;
        if (event.type == SDL_QUIT)
            state.quit = true;
        if (event.type == SDL_KEYDOWN) {
            apply_key(state, key_of(event.key.keysym.sym), image.width(), image.height());
            dirty = true;
        }
        if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_EXPOSED)
            dirty = true;
    }
    sdl.SDL_DestroyTexture(texture);
    sdl.SDL_DestroyRenderer(renderer);
    sdl.SDL_DestroyWindow(window);
    sdl.SDL_Quit();
    return status;
}

#endif

} // namespace pxos::cli
