#include "pxos/base/diagnostic.hpp"

#include <fmt/format.h>

namespace pxos {

std::string SourceLocation::to_string() const
{
    if (line <= 0)
        return file;
    return column > 0 ? fmt::format("{}:{}:{}", file, line, column) : fmt::format("{}:{}", file, line);
}

Diagnostic::Diagnostic(Severity kind, std::string place, std::string text)
    : severity(kind)
    , where(std::move(place))
    , message(std::move(text))
{
}

Diagnostic::Diagnostic(Severity kind, SourceLocation position, std::string text)
    : severity(kind)
    , where(position.to_string())
    , message(std::move(text))
    , location(std::move(position))
{
}

std::string Diagnostic::format() const
{
    std::string text;
    if (!where.empty())
        text = where + ": ";
    text += severity == Severity::Error ? "error: " : "warning: ";
    text += message;
    return text;
}

Error::Error(ErrorKind kind, std::string where, std::string message)
    : m_kind(kind)
{
    m_diagnostics.push_back(Diagnostic { Severity::Error, std::move(where), std::move(message) });
}

Error::Error(ErrorKind kind, SourceLocation location, std::string message)
    : m_kind(kind)
{
    m_diagnostics.push_back(Diagnostic { Severity::Error, std::move(location), std::move(message) });
}

Error::Error(ErrorKind kind, std::vector<Diagnostic> diagnostics)
    : m_kind(kind)
    , m_diagnostics(std::move(diagnostics))
{
}

std::string Error::message() const
{
    return m_diagnostics.empty() ? std::string("unknown error") : m_diagnostics.front().format();
}

int exit_code_for(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::BadInput:
        return 65;
    case ErrorKind::Usage:
        return 2;
    case ErrorKind::Io:
        return 74;
    case ErrorKind::Internal:
        return 70;
    }
    return 70;
}

} // namespace pxos
