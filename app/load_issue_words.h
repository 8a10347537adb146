#pragma once
// The checkpoint problems users meet most (core/common/load_issue.h: another kind of model, pickle
// or pre-quantized weights, a download cut short, no tokenizer) in the user's language. The engine
// reports them in English text; this reads such a text back and words it with tr(), saying what
// to do. Any other text comes back as it was.
#include <QString>

namespace load_issue_words {
QString translate(const QString& engine_message);
}  // namespace load_issue_words
