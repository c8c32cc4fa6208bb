// Parsing of a field's modifier chain (`CommandLine|base64offset|contains`)
// and the value transformations the encoding modifiers perform.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::behavior::sigma {

// What a chain asks for. Encoders apply in chain order; position modifiers
// (contains/startswith/endswith) apply after them, as in pySigma.
struct Modifiers {
    enum class Encoder { Base64, Base64Offset, Utf16Le, Utf16Be, Utf16Bom };
    enum class Compare { None, Lt, Lte, Gt, Gte };

    std::vector<Encoder> encoders;
    bool contains = false, startswith = false, endswith = false;
    bool all = false;
    bool cased = false;
    bool windash = false;
    bool re = false, re_i = false, re_m = false, re_s = false;
    bool cidr = false;
    bool exists = false;
    bool neq = false;
    bool fieldref = false;
    Compare compare = Compare::None;
};

// Throws RuleError naming an unknown, unsupported or conflicting modifier.
Modifiers parse_modifiers(std::span<const std::string_view> names);

// The encoders on literal bytes.
std::string base64_encode(std::string_view bytes);
// The three shifted encodings whose middle part is stable wherever `bytes`
// sits in a larger base64 text (pySigma's base64offset).
std::vector<std::string> base64_offsets(std::string_view bytes);
enum class Utf16Form { Le, Be, Bom };
std::string utf16_encode(std::string_view utf8, Utf16Form form);

}  // namespace vigil::behavior::sigma
