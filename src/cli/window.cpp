#include "window.hpp"

#include "terminal.hpp"

#include "pxos/png_io.hpp"
#include "pxos/terminal_view.hpp"

#include <cstdio>

#ifdef PXOS_HAVE_SDL2
#include <SDL2/SDL.h>
#include "pxos/layout.hpp"
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
// of the terminal model, so zoom and panning behave the same.
std::vector<std::uint32_t> frame_pixels(const SimulatedVRAM& image, const ViewState& state, int width, int height)
{
    std::vector<std::uint32_t> pixels(std::size_t(width) * std::size_t(height), RGBA { 0, 0, 0, 255 }.to_word());
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
    if (state.inspector) // a crosshair at the centre
        for (int d = -6; d <= 6; ++d) {
            int cx = width / 2, cy = height / 2;
            if (cx + d >= 0 && cx + d < width)
                pixels[std::size_t(cy) * std::size_t(width) + std::size_t(cx + d)] = RGBA { 255, 0, 255, 255 }.to_word();
            if (cy + d >= 0 && cy + d < height)
                pixels[std::size_t(cy + d) * std::size_t(width) + std::size_t(cx)] = RGBA { 255, 0, 255, 255 }.to_word();
        }
    return pixels;
}

} // namespace

int run_window(const SimulatedVRAM& image, const std::string& title, const Palette* palette, const WindowOptions& options)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return report_error(Error::io("", std::string("cannot open a window: ") + SDL_GetError()));
    int width = options.width, height = options.height;
    SDL_Window* window = SDL_CreateWindow(("pxos view: " + title).c_str(), SDL_WINDOWPOS_UNDEFINED,
        SDL_WINDOWPOS_UNDEFINED, width, height, 0);
    SDL_Renderer* renderer = window ? SDL_CreateRenderer(window, -1, 0) : nullptr;
    // Bytes r,g,b,a in memory: ABGR8888 on a little-endian machine.
    SDL_Texture* texture = renderer ? SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STREAMING,
                                          width, height)
                                    : nullptr;
    if (!texture) {
        std::string problem = SDL_GetError();
        SDL_Quit();
        return report_error(Error::io("", "cannot open a window: " + problem));
    }
    ViewState state;
    state.columns = width;
    state.rows = height / 2 + 1;
    state.outlines = options.outlines;
    int status = 0;
    bool dirty = true;
    while (!state.quit) {
        if (dirty) {
            auto pixels = frame_pixels(image, state, width, height);
            SDL_UpdateTexture(texture, nullptr, pixels.data(), width * 4);
            SDL_RenderClear(renderer);
            SDL_RenderCopy(renderer, texture, nullptr, nullptr);
            SDL_RenderPresent(renderer);
            int view_width = width * (state.zoom >= 0 ? 1 : 1 << -state.zoom) / (state.zoom >= 0 ? 1 << state.zoom : 1);
            int view_height = height * (state.zoom >= 0 ? 1 : 1 << -state.zoom) / (state.zoom >= 0 ? 1 << state.zoom : 1);
            SDL_SetWindowTitle(window, ("pxos view: " + title + "  "
                + view_status(image, state, palette, state.origin_x + view_width / 2, state.origin_y + view_height / 2))
                                           .c_str());
            dirty = false;
        }
        if (options.once) {
            if (!options.screenshot.empty()) {
                std::vector<std::uint32_t> read_back(std::size_t(width) * std::size_t(height));
                SDL_RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_ABGR8888, read_back.data(), width * 4);
                auto shot = SimulatedVRAM::from_words(width, height, std::move(read_back));
                if (!shot || !save_png(options.screenshot, *shot))
                    status = 74;
            }
            break;
        }
        SDL_Event event;
        if (!SDL_WaitEventTimeout(&event, 200))
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
    SDL_DestroyTexture(texture);
    SDL_DestroyRenderer(renderer);
    SDL_DestroyWindow(window);
    SDL_Quit();
    return status;
}

#endif

} // namespace pxos::cli
