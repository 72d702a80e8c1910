// Typed step parameters and the build context they flow into. A parameter
// schema (name, type, default, range, doc) is declared once per step in the
// registry table; the roadmap loader checks values against it, the build
// engine merges them into the context, and `pxos steps` documents them.
#pragma once

#include "pxos/image/vram.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pxos {

enum class ParamType { Integer, Number, Boolean, String, Color };

using ParamValue = std::variant<std::int64_t, double, bool, std::string, RGBA>;

std::string_view param_type_name(ParamType type);
ParamType param_type_of(const ParamValue& value);
// A value as it would be written in YAML: 42, 1.5, true, "text", [r, g, b, a].
std::string format_param_value(const ParamValue& value);

struct ParamSpec {
    std::string_view name;
    ParamType type;
    ParamValue default_value;
    std::string_view doc;
    // Inclusive range for Integer parameters.
    std::int64_t minimum = INT32_MIN;
    std::int64_t maximum = INT32_MAX;
    // As in the seed, a parameter is read from the build context, so a value
    // an earlier step set carries on. Steps that are used many times with
    // different values (add_process) read only their own entry's parameters.
    enum class Scope { Inherited, OwnEntry } scope = Scope::Inherited;
};

// The build context: named values that steps read and write. As in the seed,
// a step's parameters are merged in before it runs and stay for later steps.
// Keys are kept sorted so reports and JSON are deterministic.
class BuildContext {
public:
    void set(const std::string& key, ParamValue value);
    const ParamValue* find(std::string_view key) const;
    const std::map<std::string, ParamValue, std::less<>>& values() const { return m_values; }

    // Keys set since the last call, in the order they were first set.
    std::vector<std::string> take_keys_set();

private:
    std::map<std::string, ParamValue, std::less<>> m_values;
    std::vector<std::string> m_keys_set;
};

} // namespace pxos
