#include "base/json_writer.hpp"

#include "pxos/base/text.hpp"

namespace pxos {

namespace {

template<typename Json>
bool holds_invalid_text(const Json& value)
{
    if (value.is_string())
        return !is_valid_utf8(value.template get_ref<const std::string&>());
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            if (!is_valid_utf8(it.key()) || holds_invalid_text(it.value()))
                return true;
    } else if (value.is_array()) {
        for (const auto& element : value)
            if (holds_invalid_text(element))
                return true;
    }
    return false;
}

template<typename Json>
Json with_valid_text(const Json& value)
{
    if (value.is_string())
        return escape_invalid_utf8(value.template get_ref<const std::string&>());
    if (value.is_object()) {
        Json object = Json::object();
        for (auto it = value.begin(); it != value.end(); ++it)
            object[escape_invalid_utf8(it.key())] = with_valid_text(it.value());
        return object;
    }
    if (value.is_array()) {
        Json array = Json::array();
        for (const auto& element : value)
            array.push_back(with_valid_text(element));
        return array;
    }
    return value;
}

template<typename Json>
std::string write(const Json& value, JsonLayout layout)
{
    int indent = layout == JsonLayout::Indented ? 2 : -1;
    // After the escaping no string is invalid; `replace` only makes sure
    // that dump has nothing left to throw on.
    constexpr auto kNeverThrow = Json::error_handler_t::replace;
    if (!holds_invalid_text(value))
        return value.dump(indent, ' ', false, kNeverThrow);
    return with_valid_text(value).dump(indent, ' ', false, kNeverThrow);
}

} // namespace

std::string write_json(const nlohmann::json& value, JsonLayout layout)
{
    return write(value, layout);
}

std::string write_json(const nlohmann::ordered_json& value, JsonLayout layout)
{
    return write(value, layout);
}

} // namespace pxos
