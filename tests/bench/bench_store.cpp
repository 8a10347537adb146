// Conversation store at scale: generates 10,000 conversations holding 1,000,000 messages
// (one conversation has 5,000; the text is Zipf-distributed synthetic words, so the FTS index
// looks like a real one), then times what a user waits for:
//   open  = opening the database + listing the first 50 conversations
//   page  = the first screen (50 messages) of the 5,000-message conversation
//   fts   = a search ranked by bm25 with snippets (a rare word and a common one)
// Each number is the median of --runs runs; every run opens a new ConversationStore (new
// connection, empty statement cache; the OS file cache is warm, as on a real second launch).
//
// Usage: bench_store [--db PATH] [--conversations N] [--messages M] [--long K] [--runs R] [--reuse]
//   --reuse keeps an existing PATH generated with the same sizes instead of regenerating it.
//        bench_store [--db PATH] --reply-saves: a streaming reply's saves instead (reply_saves),
//        in PATH.reply-saves.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/store/conversation_store.h"

using namespace falcon;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string db = "/tmp/falcon-bench-store.db";
  int conversations = 10000;
  int64_t messages = 1000000;
  int long_len = 5000;
  int runs = 9;
  bool reuse = false;
};

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU time of this thread: on a shared, overloaded machine the wall time includes waiting for
// a core, the CPU time is what the work itself costs.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Synthetic vocabulary; word i is drawn with probability ~ 1/(i+1) (Zipf), as in real text.
struct Words {
  std::vector<std::string> vocab;
  std::vector<double> cdf;
  explicit Words(std::mt19937& rng, int n = 20000) {
    const char* letters = "etaoinshrdlucmfwypvbgkjqxz";
    double acc = 0;
    for (int i = 0; i < n; ++i) {
      std::string w;
      int len = 2 + int(rng() % 8);
      for (int k = 0; k < len; ++k)
        w += letters[std::min<int>(25, int(std::abs(std::normal_distribution<>(0, 7)(rng))))];
      vocab.push_back(w + std::to_string(i % 97));  // unique-ish, still word-like
      acc += 1.0 / (i + 1);
      cdf.push_back(acc);
    }
    for (double& c : cdf) c /= acc;
  }
  const std::string& draw(std::mt19937& rng) const {
    double u = std::uniform_real_distribution<>(0, 1)(rng);
    return vocab[size_t(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin())];
  }
};

void generate(const Args& a, int64_t& long_id) {
  std::filesystem::remove(a.db);
  std::filesystem::remove(a.db + "-wal");
  std::filesystem::remove(a.db + "-shm");
  auto t0 = Clock::now();
  std::mt19937 rng(42);
  Words words(rng);
  int64_t fake_now = 1'600'000'000'000;
  StoreOptions o;
  o.clock = [&] { return fake_now += 7; };
  ConversationStore store(a.db, o);
  store.in_transaction([&] {
    std::vector<int64_t> convs;
    for (int i = 0; i < a.conversations; ++i) {
      convs.push_back(store.create_conversation(
          {.title = "Conversation " + std::to_string(i) + " about " + words.draw(rng),
           .model_path = "/m/falcon-7b"}));
    }
    long_id = convs[size_t(a.conversations / 2)];
    int64_t rest = a.messages - a.long_len;
    int64_t made = 0;
    for (size_t ci = 0; ci < convs.size(); ++ci) {
      int64_t n = convs[ci] == long_id
                      ? a.long_len
                      : rest / (a.conversations - 1) + (int64_t(ci) < rest % (a.conversations - 1));
      std::optional<int64_t> parent;
      for (int64_t k = 0; k < n; ++k) {
        std::string text;
        int len = 8 + int(rng() % 50);
        for (int w = 0; w < len; ++w) text += (w ? " " : "") + words.draw(rng);
        if (rng() % 10000 == 0) text += " quokka";  // the rare word: ~100 messages
        parent = store.append_message(convs[ci], parent, k % 2 ? Role::Assistant : Role::User, text, len);
        if (++made % 100000 == 0)
          std::fprintf(stderr, "  %lld messages, %.0f s\n", (long long)made, ms_since(t0) / 1000);
      }
    }
    for (int i = 0; i < a.conversations; i += 50) store.set_pinned(convs[size_t(i)], true);
  });
  std::printf("generated %d conversations, %lld messages in %.1f s (%.0f MB)\n", a.conversations,
              (long long)a.messages, ms_since(t0) / 1000, std::filesystem::file_size(a.db) / 1e6);
}

}  // namespace

// --reply-saves: what a streaming reply's saves cost the decode loop (PartialWriter: one write
// every 32 tokens, the whole text so far, re-indexed for search): three replies of 4,000 tokens
// in a fresh store at PATH.reply-saves (the --db store itself is left alone; removed after), the
// connection as the inference worker had it (synchronous=FULL: an fdatasync per save on the
// decode thread) and as it has it now (sync_behind). Prints each
// mode's median and largest save and their sum per reply.
int reply_saves(const std::string& path) {
  const char* words[] = {" the",  " quick", " brown", " fox", " jumps",
                         " over", " lazy",  " dog",   " and", " runs"};
  const auto remove_store = [&] {
    for (const char* suffix : {"", "-wal", "-shm", "-falcon-lock"}) std::filesystem::remove(path + suffix);
  };
  for (const bool behind : {false, true}) {
    remove_store();
    StoreOptions o;
    o.sync_behind = behind;
    ConversationStore store(path, o);
    const int64_t conv = store.create_conversation({});
    const int64_t user = store.append_message(conv, std::nullopt, Role::User, "tell me a long story");
    for (int rep = 0; rep < 3; ++rep) {
      PartialWriter w(store, store.begin_assistant_reply(conv, user));
      std::vector<double> saves;
      double total = 0;
      for (int i = 0; i < 4000; ++i) {
        const auto t0 = Clock::now();
        const bool wrote = w.append(words[(i * 7) % 10], 1);
        const double ms = ms_since(t0);
        total += ms;
        if (wrote) saves.push_back(ms);
      }
      w.finish(GenerationStats{});
      std::printf(
          "reply saves, %s: %zu saves, median %.3f ms, largest %.3f ms, %.1f ms per 4000-token reply\n",
          behind ? "sync behind" : "synchronous=FULL", saves.size(), median(saves),
          *std::max_element(saves.begin(), saves.end()), total);
    }
  }
  remove_store();
  return 0;
}

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--db"))
      a.db = next();
    else if (!std::strcmp(argv[i], "--conversations"))
      a.conversations = std::atoi(next());
    else if (!std::strcmp(argv[i], "--messages"))
      a.messages = std::atoll(next());
    else if (!std::strcmp(argv[i], "--long"))
      a.long_len = std::atoi(next());
    else if (!std::strcmp(argv[i], "--runs"))
      a.runs = std::max(1, std::atoi(next()));
    else if (!std::strcmp(argv[i], "--reuse"))
      a.reuse = true;
    else if (!std::strcmp(argv[i], "--reply-saves"))
      return reply_saves(a.db + ".reply-saves");  // never the generated store itself
    else {
      std::fprintf(
          stderr,
          "usage: %s [--db PATH] [--conversations N] [--messages M] [--long K] [--runs R] [--reuse] |"
          " [--db PATH] --reply-saves\n",
          argv[0]);
      return 2;
    }
  }
  if (a.conversations < 2 || a.long_len < 1 || a.messages < a.long_len + a.conversations - 1) {
    std::fprintf(stderr, "sizes do not fit: need messages >= long + conversations - 1\n");
    return 2;
  }
  std::string command;
  for (int i = 0; i < argc; ++i) command += std::string(i ? " " : "") + argv[i];
  std::printf("command: %s\n", command.c_str());
  try {
    int64_t long_id = 0;
    if (a.reuse && std::filesystem::exists(a.db)) {
      ConversationStore s(a.db);
      auto top = s.list_conversations({ArchiveFilter::All, 0, 1 << 30});
      // generate() gave the long conversation the title "Conversation <conversations/2> about ...".
      const std::string prefix = "Conversation " + std::to_string(a.conversations / 2) + " about ";
      for (auto& c : top) {
        if (c.title.rfind(prefix, 0) == 0) long_id = c.id;
      }
      if (!long_id ||
          s.load_page(long_id, std::nullopt, a.long_len + 1).messages.size() != size_t(a.long_len)) {
        std::fprintf(stderr, "bench_store: %s was not generated with these sizes; drop --reuse\n",
                     a.db.c_str());
        return 1;
      }
      std::printf("reusing %s\n", a.db.c_str());
    } else {
      generate(a, long_id);
    }

    // Queries from rare to very common: the vocabulary is regenerated from the same seed, and
    // Zipf rank r appears in about min(1, 33 / ((r + 1) * 10.5)) of the messages.
    std::mt19937 rng(42);
    Words words(rng);
    struct Query {
      std::string text, label;
      size_t hits = 0;
    };
    std::vector<Query> queries = {{"quokka", "rare word (~100 messages)", 0},
                                  {words.vocab[2000], "word of Zipf rank 2000", 0},
                                  {words.vocab[200], "word of Zipf rank 200", 0},
                                  {words.vocab[20], "word of Zipf rank 20", 0}};
    struct Timing {
      std::vector<double> wall, cpu;
      void add(Clock::time_point t0, double c0) {
        wall.push_back(ms_since(t0));
        cpu.push_back(thread_cpu_ms() - c0);
      }
    };
    Timing t_open, t_page;
    std::vector<Timing> t_query(queries.size());
    size_t listed = 0, paged = 0;
    for (int r = 0; r < a.runs; ++r) {
      auto t0 = Clock::now();
      double c0 = thread_cpu_ms();
      ConversationStore s(a.db);
      listed = s.list_conversations({ArchiveFilter::NotArchived, 0, 50}).size();
      t_open.add(t0, c0);

      t0 = Clock::now();
      c0 = thread_cpu_ms();
      MessagePage p = s.load_page(long_id, std::nullopt, 50);
      paged = p.messages.size();
      t_page.add(t0, c0);

      for (size_t i = 0; i < queries.size(); ++i) {
        t0 = Clock::now();
        c0 = thread_cpu_ms();
        queries[i].hits = s.search(queries[i].text).size();
        t_query[i].add(t0, c0);
      }
    }
    std::printf("median of %d runs: wall ms / CPU ms (search ranks the newest %d matches)\n", a.runs,
                SearchOptions{}.rank_window);
    std::printf("  open + list first 50 conversations    : %8.2f / %8.2f  (%zu listed)\n",
                median(t_open.wall), median(t_open.cpu), listed);
    std::printf("  first screen (50) of %d-msg chat    : %8.2f / %8.2f  (%zu messages)\n", a.long_len,
                median(t_page.wall), median(t_page.cpu), paged);
    {
      ConversationStore s(a.db);
      for (size_t i = 0; i < queries.size(); ++i) {
        SearchOptions all;
        all.limit = 1 << 30;
        all.rank_window = 0;
        size_t matches = s.search(queries[i].text, all).size();
        std::printf("  FTS top 20, %-26s: %8.2f / %8.2f  ('%s', %zu messages match)\n",
                    queries[i].label.c_str(), median(t_query[i].wall), median(t_query[i].cpu),
                    queries[i].text.c_str(), matches);
      }
    }
    bool ok = median(t_open.wall) <= 50 && median(t_page.wall) <= 50 && median(t_query[0].wall) <= 50;
    std::printf("target <= 50 ms (open+list, first screen, rare-word FTS): %s\n", ok ? "met" : "NOT met");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_store: %s\n", e.what());
    return 1;
  }
}
