#include "pxos/roadmap/param.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace pxos {

std::string_view param_type_name(ParamType type)
{
    switch (type) {
    case ParamType::Integer: return "integer";
    case ParamType::Number: return "number";
    case ParamType::Boolean: return "boolean";
    case ParamType::String: return "string";
    case ParamType::Color: return "colour";
    }
    return "unknown";
}

ParamType param_type_of(const ParamValue& value)
{
    switch (value.index()) {
    case 0: return ParamType::Integer;
    case 1: return ParamType::Number;
    case 2: return ParamType::Boolean;
    case 3: return ParamType::String;
    default: return ParamType::Color;
    }
}

std::string format_param_value(const ParamValue& value)
{
    if (auto* integer = std::get_if<std::int64_t>(&value))
        return std::to_string(*integer);
    if (auto* number = std::get_if<double>(&value))
        return fmt::format("{}", *number);
    if (auto* boolean = std::get_if<bool>(&value))
        return *boolean ? "true" : "false";
    if (auto* text = std::get_if<std::string>(&value)) {
        std::string quoted = "\"";
        for (char c : *text) {
            if (c == '"' || c == '\\')
                quoted += '\\';
            quoted += c;
        }
        return quoted + "\"";
    }
    const RGBA& color = std::get<RGBA>(value);
    return fmt::format("[{}, {}, {}, {}]", color.r, color.g, color.b, color.a);
}

void BuildContext::set(const std::string& key, ParamValue value)
{
    m_values[key] = std::move(value);
    if (std::find(m_keys_set.begin(), m_keys_set.end(), key) == m_keys_set.end())
        m_keys_set.push_back(key);
}

const ParamValue* BuildContext::find(std::string_view key) const
{
    auto found = m_values.find(key);
    return found == m_values.end() ? nullptr : &found->second;
}

std::vector<std::string> BuildContext::take_keys_set()
{
    return std::exchange(m_keys_set, {});
}

} // namespace pxos
