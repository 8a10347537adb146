#pragma once
// The real ChatEngine: open_model() for the backend choice and GPU fallback, ChatSession for
// the conversation (both in app/engine, shared with falcon-run).
#include <memory>

#include "app/chat_engine.h"

namespace falcon {
std::unique_ptr<ChatEngine> make_falcon_chat_engine();
}  // namespace falcon
