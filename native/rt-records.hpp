// Records from the native CAN helper (rt-can.cpp) to Node, and the locks they share: every record goes into a
// queue a writer thread drains to stdout, so the real-time threads never block on a pipe a busy Node leaves full.
// Format: [u32 length of the rest][u8 type][body], little-endian (rt-can.cpp's header lists the types).
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <string>
#include <unistd.h>

namespace {

// Priority-inheriting locks: a SCHED_OTHER thread holding one (commands, the writer) is lifted to the real-time
// thread's priority while that one waits, instead of being preempted by the load it waits behind.
class PiMutex {
  pthread_mutex_t m;

 public:
  PiMutex() {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&m, &a);
  }
  void lock() { pthread_mutex_lock(&m); }
  void unlock() { pthread_mutex_unlock(&m); }
  pthread_mutex_t *native() { return &m; }
};

PiMutex queueMutex;
std::mutex writeMutex;
pthread_cond_t queueCond = PTHREAD_COND_INITIALIZER;
std::string queue;

// ---- records to Node (stdout); one writer at a time so records never interleave
struct Out {
  std::string b;
  explicit Out(uint8_t type) { b.append(4, '\0').push_back(char(type)); }
  Out &u8(uint8_t v) { return b.push_back(char(v)), *this; }
  Out &u32(uint32_t v) { return b.append(reinterpret_cast<const char *>(&v), 4), *this; }
  Out &i64(int64_t v) { return b.append(reinterpret_cast<const char *>(&v), 8), *this; }
  Out &text(const std::string &s) { return b.append(s), *this; }
  void emit() {
    uint32_t n = uint32_t(b.size() - 4);
    memcpy(&b[0], &n, 4);
    {
      std::lock_guard<PiMutex> g(queueMutex);
      queue += b;
    }
    pthread_cond_signal(&queueCond);
  }
};

void writeAll(const std::string &b) {
  for (size_t off = 0; off < b.size();) {
    ssize_t w = write(1, b.data() + off, b.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(0);  // Node went away: nothing left to serve
    off += size_t(w);
  }
}

void writerLoop(int) {
  std::string batch;
  for (;;) {
    {
      std::lock_guard<PiMutex> g(queueMutex);
      while (queue.empty()) pthread_cond_wait(&queueCond, queueMutex.native());
      batch.swap(queue);
    }
    std::lock_guard<std::mutex> w(writeMutex);
    writeAll(batch);
    batch.clear();
  }
}

// The last records (closed, lost, open-failed) reach Node before the process ends.
[[noreturn]] void flushAndExit() {
  std::lock_guard<std::mutex> w(writeMutex);
  std::string rest;
  {
    std::lock_guard<PiMutex> g(queueMutex);
    rest.swap(queue);
  }
  writeAll(rest);
  _exit(0);
}

}  // namespace
