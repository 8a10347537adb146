#include "core/tokenizer/unicode_util.h"

#include <utf8proc.h>

#include <cstdlib>

namespace falcon::unicode {
namespace {

// Allowed range of the second byte after lead `b0` (the well-formed UTF-8 table of Unicode 3.9).
bool second_byte_ok(uint8_t b0, uint8_t b1) {
  if (b0 == 0xE0) return b1 >= 0xA0 && b1 <= 0xBF;
  if (b0 == 0xED) return b1 >= 0x80 && b1 <= 0x9F;
  if (b0 == 0xF0) return b1 >= 0x90 && b1 <= 0xBF;
  if (b0 == 0xF4) return b1 >= 0x80 && b1 <= 0x8F;
  return b1 >= 0x80 && b1 <= 0xBF;
}

int sequence_length(uint8_t b0) {
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return 2;
  if (b0 >= 0xE0 && b0 <= 0xEF) return 3;
  if (b0 >= 0xF0 && b0 <= 0xF4) return 4;
  return 0;  // continuation byte, C0, C1, F5..FF: never a lead
}

// Number of bytes from s[i] that form a valid prefix of a character (>= 1), and whether the
// character is complete.
size_t valid_prefix(std::string_view s, size_t i, bool& complete) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  const int n = sequence_length(b0);
  complete = false;
  if (n == 0) return 1;
  if (n == 1) {
    complete = true;
    return 1;
  }
  size_t k = 1;
  for (; k < static_cast<size_t>(n) && i + k < s.size(); ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    const bool ok = (k == 1) ? second_byte_ok(b0, b) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return k;
  }
  complete = (k == static_cast<size_t>(n));
  return k;
}

}  // namespace

int32_t decode_at(std::string_view s, size_t i, size_t& len) {
  bool complete = false;
  const size_t k = valid_prefix(s, i, complete);
  if (!complete) {
    len = 1;
    return -1;
  }
  len = k;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data() + i);
  switch (k) {
    case 1:
      return p[0];
    case 2:
      return ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3:
      return ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
      return ((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  }
}

void append_utf8(std::string& out, int32_t cp) {
  if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    bool complete = false;
    const size_t k = valid_prefix(s, i, complete);
    if (!complete) return false;
    i += k;
  }
  return true;
}

std::string to_valid_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    bool complete = false;
    const size_t k = valid_prefix(s, i, complete);
    if (complete) {
      out.append(s.substr(i, k));
    } else {
      out.append("\xEF\xBF\xBD");  // one U+FFFD per maximal invalid subpart
    }
    i += k;
  }
  return out;
}

size_t complete_prefix_len(std::string_view s) {
  // Walk back over at most 3 continuation bytes to the last lead byte; if its character is
  // truncated (but valid so far), cut before it.
  const size_t n = s.size();
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    const auto b = static_cast<uint8_t>(s[n - back]);
    if (b >= 0x80 && b <= 0xBF) continue;
    bool complete = false;
    const size_t k = valid_prefix(s, n - back, complete);
    if (!complete && k == back && sequence_length(b) > 1) return n - back;
    return n;
  }
  return n;
}

bool is_whitespace(int32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

bool is_numeric(int32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  const auto cat = utf8proc_category(c);
  return cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;
}

bool is_alphabetic(int32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const auto cat = utf8proc_category(c);
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) || cat == UTF8PROC_CATEGORY_NL ||
         cat == UTF8PROC_CATEGORY_MC;
}

bool is_alphanumeric(int32_t c) {
  return is_alphabetic(c) || is_numeric(c);
}

bool is_punctuation(int32_t c) {
  if (c < 0x80)
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
  const auto cat = utf8proc_category(c);
  return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

bool is_mark_nonspacing(int32_t c) {
  return c >= 0x300 && utf8proc_category(c) == UTF8PROC_CATEGORY_MN;
}

bool is_mark(int32_t c) {
  if (c < 0x300) return false;
  const auto cat = utf8proc_category(c);
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME;
}

bool is_word_char(int32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  if (c == 0x200C || c == 0x200D) return true;
  const auto cat = utf8proc_category(c);
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ND) || cat == UTF8PROC_CATEGORY_NL ||
         cat == UTF8PROC_CATEGORY_PC;
}

std::string lowercase(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    const int32_t c = decode_at(s, i, len);
    if (c < 0) {
      out.append("\xEF\xBF\xBD");
    } else if (c < 0x80) {
      out.push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c));
    } else if (c == 0x130) {
      out.append("i\xCC\x87");  // the one unconditional multi-character lowercase mapping
    } else {
      append_utf8(out, utf8proc_tolower(c));
    }
    i += len;
  }
  return out;
}

std::string normalize(std::string_view s, NormalForm form) {
  int flags = UTF8PROC_STABLE;
  switch (form) {
    case NormalForm::NFC:
      flags |= UTF8PROC_COMPOSE;
      break;
    case NormalForm::NFD:
      flags |= UTF8PROC_DECOMPOSE;
      break;
    case NormalForm::NFKC:
      flags |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
      break;
    case NormalForm::NFKD:
      flags |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
      break;
  }
  // Pure ASCII is invariant under every normal form: skip the library call.
  bool ascii = true;
  for (char ch : s) ascii = ascii && static_cast<uint8_t>(ch) < 0x80;
  if (ascii) return std::string(s);
  utf8proc_uint8_t* out = nullptr;
  const std::string valid = to_valid_utf8(s);
  const auto n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                   static_cast<utf8proc_ssize_t>(valid.size()), &out, static_cast<utf8proc_option_t>(flags));
  if (n < 0 || out == nullptr) {
    std::free(out);
    return valid;  // only on allocation failure; the text is valid UTF-8 here
  }
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

}  // namespace falcon::unicode
