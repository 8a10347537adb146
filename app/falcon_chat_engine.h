#pragma once
// The real ChatEngine: open_model() for the backend choice and GPU fallback, ChatSession for
// the conversation (both in app/engine, shared with falcon-run).
#include <memory>

#include "app/chat_engine.h"

namespace falcon {
std::unique_ptr<ChatEngine> make_falcon_chat_engine();

// The settings a reply runs with: the user's stop strings plus the template's (as falcon-run
// --chat uses them) and the template's turn markers. Without them the model writes the next
// "User:" turn itself.
SamplingSettings with_template_stops(SamplingSettings settings, const ChatTemplate& chat_template);
}  // namespace falcon
