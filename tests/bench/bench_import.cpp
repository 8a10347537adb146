// Importing another app's export at scale: writes a ChatGPT-style conversations.json (N
// conversations of M messages each; the assistant's messages carry citation and search-result
// metadata as ChatGPT writes them), then does one of these in this process and prints the seconds
// and the process's peak resident memory (getrusage), so run one mode per process:
//   --mode import    ConversationStore::import_json of the file into a new database
//   --mode filtered  parse_for_import alone: the tree the importers read
//   --mode full      nlohmann::json::parse of the whole file (how the import parsed before)
// The file is read into memory first in every mode (as the app does), and counted in the peak.
//
// Usage: bench_import [--file PATH] [--conversations N] [--messages M] [--mode M] [--reuse]
//   --reuse keeps an existing PATH instead of writing it again.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/store/conversation_store.h"
#include "core/store/store_import_foreign.h"

using json = nlohmann::json;

namespace {

struct Args {
  std::string file = "/tmp/falcon-bench-import.json";
  int conversations = 3000;
  int messages = 20;
  std::string mode = "import";
  bool reuse = false;
};

void write_export(const Args& a) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> words(20, 200);
  json all = json::array();
  for (int c = 0; c < a.conversations; ++c) {
    json mapping = json::object();
    std::string prev = "c" + std::to_string(c) + "-root";
    mapping[prev] = {{"id", prev}, {"message", nullptr}, {"parent", nullptr}, {"children", json::array()}};
    for (int m = 0; m < a.messages; ++m) {
      const std::string id = "c" + std::to_string(c) + "-m" + std::to_string(m);
      const bool user = m % 2 == 0;
      json meta = json::object();
      if (!user) {
        meta["model_slug"] = "gpt-4o";
        meta["finish_details"] = {{"type", "stop"}, {"stop_tokens", {200002}}};
        meta["citations"] = json::array();
        meta["content_references"] = json::array();
        for (int k = 0; k < 5; ++k) {
          meta["citations"].push_back({{"start_ix", k},
                                       {"end_ix", k + 5},
                                       {"metadata",
                                        {{"type", "webpage"},
                                         {"title", std::string(40, 't')},
                                         {"url", "https://example.com/" + std::string(60, 'x')},
                                         {"text", std::string(200, 'y')},
                                         {"pub_date", nullptr}}}});
          meta["content_references"].push_back(
              {{"matched_text", std::string(20, 'm')},
               {"items", {{{"title", std::string(30, 'a')}, {"url", std::string(60, 'u')}}}}});
        }
      }
      std::string text;
      for (int w = words(rng); w > 0; --w) text += "word ";
      mapping[id] = {
          {"id", id},
          {"message",
           {{"id", id},
            {"author",
             {{"role", user ? "user" : "assistant"}, {"name", nullptr}, {"metadata", json::object()}}},
            {"create_time", 1700000000.0 + m},
            {"update_time", nullptr},
            {"content", {{"content_type", "text"}, {"parts", {text}}}},
            {"status", "finished_successfully"},
            {"end_turn", true},
            {"weight", 1.0},
            {"metadata", meta},
            {"recipient", "all"}}},
          {"parent", prev},
          {"children", json::array()}};
      mapping[prev]["children"].push_back(id);
      prev = id;
    }
    all.push_back({{"title", "chat " + std::to_string(c)},
                   {"create_time", 1700000000.0},
                   {"update_time", 1700000100.0},
                   {"mapping", std::move(mapping)},
                   {"moderation_results", json::array()},
                   {"current_node", prev},
                   {"safe_urls", json::array()},
                   {"is_archived", false}});
  }
  std::ofstream(a.file) << all.dump();
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--file"))
      a.file = next();
    else if (!std::strcmp(argv[i], "--conversations"))
      a.conversations = std::atoi(next());
    else if (!std::strcmp(argv[i], "--messages"))
      a.messages = std::atoi(next());
    else if (!std::strcmp(argv[i], "--mode"))
      a.mode = next();
    else if (!std::strcmp(argv[i], "--reuse"))
      a.reuse = true;
    else {
      std::fprintf(stderr,
                   "usage: bench_import [--file PATH] [--conversations N] [--messages M] "
                   "[--mode import|filtered|full] [--reuse]\n");
      return 2;
    }
  }
  if (!a.reuse || !std::filesystem::exists(a.file)) write_export(a);
  std::ifstream in(a.file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto t0 = std::chrono::steady_clock::now();
  size_t count = 0;
  if (a.mode == "import") {
    const std::string db = a.file + ".db";
    std::filesystem::remove(db);
    std::filesystem::remove(db + "-wal");
    falcon::ConversationStore store(db);
    count = store.import_json(text).size();
  } else if (a.mode == "filtered") {
    count = falcon::parse_for_import(text).size();
  } else if (a.mode == "full") {
    count = json::parse(text).size();
  } else {
    std::fprintf(stderr, "unknown --mode %s\n", a.mode.c_str());
    return 2;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("mode=%s file_mb=%.1f conversations=%zu seconds=%.2f peak_rss_mb=%.0f\n", a.mode.c_str(),
              double(text.size()) / 1e6, count, s, double(ru.ru_maxrss) / 1024.0);
  return 0;
}
