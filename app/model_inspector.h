#pragma once
// ModelInspector: what a checkpoint folder holds, read from config.json, the safetensors
// headers (mmapped, no weights are read) and the tokenizer files, for the model picker.
#include <QString>
#include <QVariantMap>

// Keys: ok (bool), error (readable message when !ok), dir, name, variant, parameters (count),
// parametersText ("7.2 B"), dtype ("bf16", "f32", "mixed"), tokenizer ("tokenizer.json",
// "tokenizer.model" or ""), contextLength, vocabSize, layers, bytes; suggestedDir when the folder
// has no config.json but exactly one folder inside it has (the model folder meant, likely).
QVariantMap inspect_model_folder(const QString& dir);
