// Errors as values. Every fallible core function returns Result<T>: either
// a value or an Error holding one or more Diagnostics. A diagnostic always
// names its place (file:line:col for text, image.png@(x,y) for pixels), and
// an Error carries the exit-code class so the CLI can map it without
// guessing. C++20 has no std::expected, hence this small type of our own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pxos {

enum class Severity { Error, Warning };

// What kind of failure an Error is; the CLI maps it to an exit code.
enum class ErrorKind {
    BadInput, // malformed or invalid input: exit 65
    Usage,    // the command line itself is wrong: exit 2
    Io,       // the OS refused a read or write: exit 74
    Internal, // a bug or an impossible state: exit 70
};

// A position in a text file. Lines and columns are 1-based; 0 means unknown.
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;

    std::string to_string() const;
};

struct Diagnostic {
    Severity severity = Severity::Error;
    std::string where;   // "roadmap.yaml:12:9", "image.png@(3,4)", or empty
    std::string message; // what was expected and what was found
    // The place as fields when it is a position in a text file (a roadmap's
    // YAML, pxasm): `where` is then location.to_string(). Line 0 otherwise.
    // The CLI shows that line of the file under the message.
    SourceLocation location;

    Diagnostic() = default;
    // A place given as text (an image's pixel, a file as a whole, a file:line).
    Diagnostic(Severity kind, std::string place, std::string text);
    // A position in a text file; `where` follows from it.
    Diagnostic(Severity kind, SourceLocation position, std::string text);

    // True when the place is a line (and column) of a text file.
    bool has_text_position() const { return location.line > 0; }
    // "where: error: message" on one line.
    std::string format() const;
};

class Error {
public:
    Error(ErrorKind kind, std::string where, std::string message);
    Error(ErrorKind kind, SourceLocation location, std::string message);
    Error(ErrorKind kind, std::vector<Diagnostic> diagnostics);

    static Error bad_input(std::string where, std::string message)
    {
        return Error(ErrorKind::BadInput, std::move(where), std::move(message));
    }
    static Error bad_input(SourceLocation location, std::string message)
    {
        return Error(ErrorKind::BadInput, std::move(location), std::move(message));
    }
    static Error io(std::string where, std::string message)
    {
        return Error(ErrorKind::Io, std::move(where), std::move(message));
    }
    static Error usage(std::string message) { return Error(ErrorKind::Usage, "", std::move(message)); }
    static Error internal(std::string message) { return Error(ErrorKind::Internal, "", std::move(message)); }

    ErrorKind kind() const { return m_kind; }
    const std::vector<Diagnostic>& diagnostics() const { return m_diagnostics; }
    // The first diagnostic, formatted; convenient for single-error failures.
    std::string message() const;

private:
    ErrorKind m_kind;
    std::vector<Diagnostic> m_diagnostics;
};

// The exit code a command returns for an error of this kind.
int exit_code_for(ErrorKind kind);

template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_storage(std::move(value)) { }
    Result(Error error) : m_storage(std::move(error)) { }

    bool ok() const { return std::holds_alternative<T>(m_storage); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(m_storage); }
    const T& value() const& { return std::get<T>(m_storage); }
    T&& value() && { return std::get<T>(std::move(m_storage)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }

    const Error& error() const& { return std::get<Error>(m_storage); }
    Error&& error() && { return std::get<Error>(std::move(m_storage)); }

private:
    std::variant<T, Error> m_storage;
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() = default; // success costs no allocation: write_pixel returns one per pixel
    Result(Error error) : m_error(std::move(error)) { }

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const& { return m_error.value(); }
    Error&& error() && { return std::move(m_error).value(); }

private:
    std::optional<Error> m_error;
};

// Propagates the error of an expression returning Result<...>.
#define PXOS_TRY(expression)                                   \
    do {                                                       \
        auto pxos_try_result_ = (expression);                  \
        if (!pxos_try_result_.ok())                            \
            return std::move(pxos_try_result_).error();        \
    } while (0)

} // namespace pxos
