#include "app/load_issue_words.h"

#include <QCoreApplication>

#include "app/bidi.h"
#include "core/common/load_issue.h"

namespace load_issue_words {

QString translate(const QString& engine_message) {
  const std::optional<falcon::LoadIssueReport> r = falcon::parse_load_issue(engine_message.toStdString());
  if (!r) return engine_message;
  // Each argument (a path, tensor names, a dtype) keeps its own direction in Arabic: "/tmp/m"
  // showed as "tmp/m/" there.
  const auto raw = [&r](std::size_t i) {
    return i < r->args.size() ? QString::fromStdString(r->args[i]) : QString();
  };
  const auto arg = [&raw](std::size_t i) { return bidi::isolated(raw(i)); };
  switch (r->issue) {
    case falcon::LoadIssue::NotFalcon:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "This folder holds a “%1” model, not a Falcon model: falcon-chat runs Falcon models only "
                 "(model_type falcon, RefinedWeb or RefinedWebModel in config.json).")
          .arg(arg(0));
    case falcon::LoadIssue::PickleOnly:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "%1 holds only PyTorch pickle weights (%2), which are refused because unpickling can run "
                 "arbitrary code. Convert the checkpoint to safetensors first (in transformers: "
                 "save_pretrained(..., safe_serialization=True)).")
          .arg(arg(0), arg(1));
    case falcon::LoadIssue::NoWeights:
      return QCoreApplication::translate("LoadIssue", "There are no model weights (model.safetensors) in %1.")
          .arg(arg(0));
    case falcon::LoadIssue::ShardsWithoutIndex:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "%1 holds several .safetensors files but no model.safetensors.index.json, which says what "
                 "each of them holds. Download the index too.")
          .arg(arg(0));
    case falcon::LoadIssue::MissingShards:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "%1 names files that are not in %2: %3. The download is not complete; download the "
                 "missing files.")
          .arg(arg(0), arg(1), arg(2));
    case falcon::LoadIssue::DataCutShort:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "%1 ends before its data does (tensor %2 ends at byte %3 of the data, the file holds %4): "
                 "the download did not finish. Download this file again.")
          .arg(arg(0), arg(1), arg(2), arg(3));
    case falcon::LoadIssue::HeaderCutShort:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "%1 ends inside its own header (%2 bytes of header, %3 bytes of file): the download did "
                 "not finish. Download this file again.")
          .arg(arg(0), arg(1), arg(2));
    case falcon::LoadIssue::FileTooShort:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "%1 is too short to be a safetensors file: the download did not finish. Download this file "
                 "again.")
          .arg(arg(0));
    case falcon::LoadIssue::UnsupportedDtype:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "%1 holds %3 weights (tensor %2). falcon-chat reads BF16, F16 and F32 checkpoints only, not "
                 "pre-quantized ones such as GPTQ or AWQ: take the original checkpoint (falcon-chat "
                 "quantizes it to int8 or int4 itself).")
          .arg(arg(0), arg(1), arg(2));
    case falcon::LoadIssue::NoTokenizer:
      return QCoreApplication::translate(
                 "LoadIssue",
                 "There is no tokenizer in %1: a model folder needs tokenizer.json (Hugging Face) or "
                 "tokenizer.model (sentencepiece).")
          .arg(arg(0));
    case falcon::LoadIssue::ConfigMismatch: {
      // "missing tensors: a, b." - its last full stop would meet the ")."
      QString what = raw(1);
      if (what.endsWith(QLatin1Char('.'))) what.chop(1);
      return QCoreApplication::translate(
                 "LoadIssue",
                 "The weights in %1 do not fit its config.json (%2). The config.json belongs to another "
                 "model, or the weights are incomplete: download both from the same place again.")
          .arg(arg(0), bidi::isolated(what));
    }
    case falcon::LoadIssue::InvalidSafetensors:
      return QCoreApplication::translate(
                 "LoadIssue", "%1 is damaged or not a safetensors file (%2). Download this file again.")
          .arg(arg(0), arg(1));
  }
  return engine_message;
}

}  // namespace load_issue_words
