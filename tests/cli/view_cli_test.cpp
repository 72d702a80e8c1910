// `pxos view` run as people run it: one frame to a file or a terminal, the
// interactive viewer in tmux, and the SDL window read back headless.
#include "pxos/image/png_io.hpp"

#include "test_support.hpp"
#include "tmux_server.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <sys/wait.h>

using pxos::test::pause_ms;
using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;
using pxos::test::tmux_available;
using pxos::test::TmuxServer;
using pxos::test::wait_for_file;

namespace {

// seed.png (512x512) and os.png (512x1024) in the folder.
void build_images(const ScratchDirectory& scratch)
{
    REQUIRE(pxos::test::build_with_pxos("roadmaps/seed_stage1.yaml", "seed.png", scratch.path()) == 0);
    REQUIRE(pxos::test::build_with_pxos("roadmaps/ROADMAP_VRAM_OS.yaml", "os.png", scratch.path()) == 0);
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);)
        lines.push_back(line);
    return lines;
}

} // namespace

TEST_CASE("pxos view --once to a file: plain characters, the whole image in 80x24, colour only with --color=always",
    "[cli][view]")
{
    ScratchDirectory scratch;
    build_images(scratch);
    auto plain = run_pxos("view os.png --once", scratch.path()); // stdout is a file
    CHECK(plain.exit_code == 0);
    CHECK(plain.out.find('\x1b') == std::string::npos);
    auto lines = lines_of(plain.out);
    REQUIRE(lines.size() == 24);
    CHECK(lines[0].rfind("----------------    ", 0) == 0); // the green banner, 512 pixels in 16 columns
    CHECK(lines[0].size() == 80);
    CHECK(lines.back().rfind("(0,0) zoom 1/32  keys:", 0) == 0);

    auto colour = run_pxos("view seed.png --once --cols 40 --rows 6 --color=always", scratch.path());
    CHECK(colour.exit_code == 0);
    auto coloured = lines_of(colour.out);
    REQUIRE(coloured.size() == 6);
    CHECK(coloured[0].rfind("\x1b[38;2;0;255;0m", 0) == 0); // the banner's green, top half of the first cell
    CHECK(coloured.back().rfind("(0,0) zoom 1/64", 0) == 0); // 10 half-block rows for 512 pixels
    auto never = run_pxos("view seed.png --once --cols 40 --rows 6 --regions --color=never", scratch.path());
    CHECK(never.exit_code == 0);
    CHECK(never.out.find('\x1b') == std::string::npos);
    auto named = lines_of(never.out);
    REQUIRE(named.size() == 6);
    CHECK(named[0] == "[metadata][opcode_palette][kernel]      "); // side by side, in the 40 columns
    auto bad = run_pxos("view seed.png --once --color=sometimes", scratch.path());
    CHECK(bad.exit_code == 2);
}

TEST_CASE("pxos view --screenshot without --window is a usage error, and writes nothing", "[cli][view]")
{
    ScratchDirectory scratch;
    build_images(scratch);
    auto result = run_pxos("view seed.png --once --screenshot shot.png", scratch.path());
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err
        == "pxos: error: --screenshot needs --window: it saves the window's pixels (the terminal view has none; pxos "
           "render -o FILE.png draws an image)\n");
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "shot.png"));
}

TEST_CASE("the interactive viewer starts with the whole image and --once takes the terminal's size, in tmux",
    "[cli][view][tmux]")
{
    REQUIRE(tmux_available()); // scripts/setup.sh installs tmux
    ScratchDirectory scratch;
    build_images(scratch);
    TmuxServer tmux;
    REQUIRE(tmux.started());
    std::string in_scratch = "cd '" + scratch.path().string() + "' && '" + std::string(PXOS_BINARY) + "' ";
    REQUIRE(tmux.start("view", 120, 40, in_scratch + "view os.png; echo exit=\\$? > view_exit.txt; sleep 30"));
    // 120 columns and 78 half-block rows: 1/16 shows 1920x1248 pixels, so all 512x1024.
    std::string screen = tmux.wait_for_screen("view", "(0,0) zoom 1/16");
    CHECK(screen.find("(0,0) zoom 1/16") != std::string::npos);
    CHECK(tmux.text("capture-pane -p -e -N -t view").find("\x1b[38;2;0;255;0m") != std::string::npos);
    CHECK(screen.find("\u2580") != std::string::npos);
    tmux.command("send-keys -t view g i");
    screen = tmux.wait_for_screen("view", "inspect (256,512)"); // the middle of the image, not of the screen
    CHECK(screen.find("[metadata]") != std::string::npos);
    CHECK(screen.find("inspect (256,512)") != std::string::npos);
    tmux.command("send-keys -t view 1 Right Down"); // 1:1 about that pixel, then a quarter of the view
    CHECK(tmux.wait_for_screen("view", "inspect (286,531)").find("inspect (286,531)") != std::string::npos);
    tmux.command("send-keys -t view r i");
    CHECK(tmux.wait_for_screen("view", "(0,0) zoom 1/16").find("(0,0) zoom 1/16") != std::string::npos);
    tmux.command("send-keys -t view q");
    CHECK(wait_for_file(scratch.path() / "view_exit.txt") == "exit=0\n");

    // --once on a terminal: its size (120x40: 1/8 fits 512x512), not 80x24 (1/16).
    REQUIRE(tmux.start("once", 120, 40, in_scratch + "view seed.png --once; echo exit=\\$? > once_exit.txt; sleep 30"));
    CHECK(wait_for_file(scratch.path() / "once_exit.txt") == "exit=0\n");
    screen = tmux.text("capture-pane -p -N -t once");
    CHECK(screen.find("(0,0) zoom 1/8 ") != std::string::npos);
    CHECK(tmux.text("capture-pane -p -e -N -t once").find("\x1b[38;2;0;255;0m") != std::string::npos); // colour

    // The live views fit too: build --view waits for q on its last frame.
    REQUIRE(tmux.start("build", 100, 30,
        in_scratch + "build " + pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml")
            + " -o live.png --view; echo exit=\\$? > build_exit.txt; sleep 30"));
    CHECK(tmux.wait_for_screen("build", "zoom 1/32").find("(0,0) zoom 1/32") != std::string::npos);
    pause_ms(300);
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "build_exit.txt")); // waiting for q
    tmux.command("send-keys -t build q");
    CHECK(wait_for_file(scratch.path() / "build_exit.txt") == "exit=0\n");
    CHECK(pxos::load_png(pxos::test::files(), scratch.file("live.png")).ok());

    // run --view draws while the machine runs, then prints the console; --no-wait exits at once.
    REQUIRE(tmux.start("run", 120, 40,
        in_scratch + "run os.png --view --no-wait > run_out.txt 2>&1; echo exit=\\$? > run_exit.txt; sleep 30"));
    CHECK(wait_for_file(scratch.path() / "run_exit.txt") == "exit=0\n");
    CHECK(pxos::test::read_text(scratch.file("run_out.txt")).find("Hello from pxOS!\n") != std::string::npos);
}

TEST_CASE("pxos view --window with no display fails at once with one line (in tmux)", "[cli][view][window][tmux]")
{
    REQUIRE(tmux_available());
    ScratchDirectory scratch;
    build_images(scratch);
    // In a terminal, as a person types it: no X11, no Wayland, no SDL driver named.
    scratch.write("window.sh",
        "start=$(date +%s%N)\n"
        "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER '"
            + std::string(PXOS_BINARY)
            + "' view seed.png --window 2>err.txt\n"
              "status=$?\n"
              "echo \"exit=$status ms=$(( ($(date +%s%N) - start) / 1000000 ))\" > window_exit.txt\n");
    TmuxServer tmux;
    REQUIRE(tmux.started());
    REQUIRE(tmux.start("window", 100, 30, "cd '" + scratch.path().string() + "' && sh window.sh; sleep 30"));
    std::string result = wait_for_file(scratch.path() / "window_exit.txt");
    INFO(result);
    REQUIRE(result.rfind("exit=", 0) == 0);
    CHECK(result.rfind("exit=0 ", 0) != 0);
    CHECK(std::stoi(result.substr(result.find("ms=") + 3)) < 2000);
    std::string err = pxos::test::read_text(scratch.file("err.txt"));
    CHECK(err.rfind("pxos: error: ", 0) == 0);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
#ifdef PXOS_HAVE_SDL2
    CHECK(err.find("--window needs a display: DISPLAY and WAYLAND_DISPLAY are unset") != std::string::npos);
#endif
}

TEST_CASE("pxos view --window draws the image in an SDL window (read back headless), region names with --regions",
    "[cli][view][window]")
{
    ScratchDirectory scratch;
    build_images(scratch);
    auto shoot = [&](const std::string& options) {
        std::string command = "cd '" + scratch.path().string() + "' && SDL_VIDEODRIVER=dummy '" + PXOS_BINARY
            + "' view seed.png --window " + options + " 2>err.txt";
        return std::system(command.c_str());
    };
    int status = shoot("--screenshot shot.png");
#ifdef PXOS_HAVE_SDL2
    REQUIRE(status == 0);
    auto shot = pxos::load_png(pxos::test::files(), scratch.file("shot.png"));
    REQUIRE(shot.ok());
    auto image = pxos::load_png(pxos::test::files(), scratch.file("seed.png")).value();
    CHECK(shot->width() == 1024); // 512x512 fits 1024x768 at 1:1
    for (auto [x, y] : { std::pair { 10, 2 }, std::pair { 70, 20 }, std::pair { 300, 100 }, std::pair { 42, 233 } })
        CHECK(shot->pixel_unchecked(x, y) == image.pixel_unchecked(x, y));
    CHECK(shot->pixel_unchecked(600, 100) == pxos::RGBA { 0, 0, 0, 255 }); // beyond the image

    REQUIRE(shoot("--regions --screenshot named.png") == 0);
    auto named = pxos::load_png(pxos::test::files(), scratch.file("named.png"));
    REQUIRE(named.ok());
    // "KERNEL" at the kernel region's corner (0,32), two pixels a font dot, on a black box:
    // the K's top row has dots in font columns 0 and 4.
    const pxos::RGBA white { 255, 255, 255, 255 }, black { 0, 0, 0, 255 };
    CHECK(named->pixel_unchecked(5, 35) == white);
    CHECK(named->pixel_unchecked(6, 36) == white);
    CHECK(named->pixel_unchecked(9, 35) == black);
    CHECK(named->pixel_unchecked(13, 35) == white);
    CHECK(shot->pixel_unchecked(9, 35) == image.pixel_unchecked(9, 35));
    CHECK_FALSE(image.pixel_unchecked(9, 35) == black);
    CHECK(named->pixel_unchecked(0, 40) == white);   // the outline
    CHECK(named->pixel_unchecked(300, 100) == image.pixel_unchecked(300, 100)); // away from names and outlines

    // A driver that shows nothing, without --screenshot: refused at once.
    CHECK(WEXITSTATUS(shoot("")) == 2);
    CHECK(pxos::test::read_text(scratch.file("err.txt"))
        == "pxos: error: SDL_VIDEODRIVER=dummy shows no window: use it with --screenshot FILE.png (or --once)\n");
#else
    CHECK(WEXITSTATUS(status) == 2);
    CHECK(pxos::test::read_text(scratch.file("err.txt")).find("built without SDL2") != std::string::npos);
#endif
}
