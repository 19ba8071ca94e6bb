// mcs-hil-rt-can: the real-time wire of one socketcand bus (issue 14). Node (drivers/can/rt-engine.ts) starts it
// with the server's host and port; it owns the TCP connection, sends periodic frames at absolute due times on
// CLOCK_MONOTONIC (clock_nanosleep TIMER_ABSTIME on a SCHED_FIFO thread, memory locked) and stamps received
// bytes at the socket (the kernel's SO_TIMESTAMPNS receive stamp of the data). The transmit thread wakes a little
// before each due time and spins the rest (SPIN_LEAD_MS, at most a twentieth of the period). It knows nothing of the
// socketcand protocol: Node hands it the text to write and gets back every received chunk with its stamp, so
// the protocol is parsed in one place only (socketcand-protocol.ts). Stamps are CLOCK_MONOTONIC ns, the clock
// of Node's process.hrtime.
//
// Records on stdin/stdout, little-endian, each [u32 length of the rest][u8 type][body]:
//   Node → helper   1 write  text                     written to the socket now
//                   2 periodic u32 slot, u32 count (0 = forever), i64 firstDueNs, i64 periodNs, u32 gen, text
//                   3 update u32 slot, u32 gen, text  the text of the next sends
//                   4 stop   u32 slot
//                   5 close
//   helper → Node   1 open   text (the real-time settings it got, or why not)
//                   2 open-failed text
//                   3 rx     i64 stampNs, u8 kernelStamp, text
//                   4 sent   u32 slot, u32 k, i64 tNs, i64 dueNs, u32 gen
//                   5 done   u32 slot
//                   6 lost   text
//                   7 closed
//
// Build: native/build.sh (g++ -O2 -pthread).

#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <vector>

#include "rt-records.hpp"

namespace {

int sock = -1;
PiMutex sockMutex, schedMutex;
pthread_cond_t schedCond;
bool closing = false;
int64_t spinLeadNs = 0;  // how long before a due time the transmit thread stops sleeping and spins (argv[5]), ≤ period/20

struct Periodic {
  uint32_t count;
  int64_t firstDue, period;
  uint32_t gen;
  std::string text;
  uint64_t k;
};
std::map<uint32_t, Periodic> periodics;

int64_t monoNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Small stacks: with memory locked, every byte of a thread's stack stays resident.
void startThread(void (*fn)(int), int prio) {
  struct Start {
    void (*fn)(int);
    int prio;
  };
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 256 * 1024);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  auto *s = new Start{fn, prio};
  pthread_create(&t, &a, [](void *p) -> void * {
    auto *s = static_cast<Start *>(p);
    s->fn(s->prio);
    return nullptr;
  }, s);
}


void sendText(const std::string &t) {
  std::lock_guard<PiMutex> g(sockMutex);
  for (size_t off = 0; off < t.size();) {
    ssize_t w = send(sock, t.data() + off, t.size() - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // the receive thread reports the loss
    off += size_t(w);
  }
}

// ---- real-time settings: the best this process may have, and a note saying what it got
std::string realtime(int prio) {
  std::string note;
  sched_param sp{};
  sp.sched_priority = prio;
  int e = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  note += e == 0 ? "SCHED_FIFO " + std::to_string(prio) : std::string("SCHED_OTHER (SCHED_FIFO refused: ") + strerror(e) + ")";
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  return note;
}

// ---- periodic transmit: sleep to the earliest due slot, send, report; woken early by any schedule change
void transmitLoop(int prio) {
  realtime(prio);
  std::unique_lock<PiMutex> lk(schedMutex);
  while (!closing) {
    int64_t now = monoNs(), next = now + 1000000000, lead = 0;
    for (auto &[slot, p] : periodics)
      if (int64_t due = p.firstDue + int64_t(p.k) * p.period; due < next)
        next = due, lead = std::min(spinLeadNs, p.period / 20);  // a short period must not turn into a busy CPU
    if (next - now > lead) {
      int64_t wake = next - lead;
      timespec ts{time_t(wake / 1000000000), long(wake % 1000000000)};
      // Schedule changes wake us through the condition; the wake-up before the due time through the timeout.
      pthread_cond_timedwait(&schedCond, schedMutex.native(), &ts);
      continue;
    }
    if (next > now) {
      // The last stretch on the CPU: a woken thread waits for the kernel to finish another task's work on a
      // non-preemptible (PREEMPT_NONE) kernel, up to ms under load; one already running in user space does not.
      // Unlocked, so commands are not held meanwhile; the schedule is read again after it.
      lk.unlock();
      while (monoNs() < next) cpuRelax();
      lk.lock();
      continue;
    }
    for (auto it = periodics.begin(); it != periodics.end();) {
      Periodic &p = it->second;
      int64_t due = p.firstDue + int64_t(p.k) * p.period;
      if (due > monoNs()) {
        ++it;
        continue;
      }
      int64_t t = monoNs();
      sendText(p.text);
      Out(4).u32(it->first).u32(uint32_t(p.k)).i64(t).i64(due).u32(p.gen).emit();
      // A stalled thread skips missed slots rather than bursting them (as the scheduler does).
      do p.k++;
      while (p.firstDue + int64_t(p.k) * p.period <= monoNs());
      if (p.count && p.k >= p.count) {
        Out(5).u32(it->first).emit();
        it = periodics.erase(it);
      } else
        ++it;
    }
  }
}

// ---- receive: every chunk with the kernel's stamp of its data (CLOCK_REALTIME, mapped onto CLOCK_MONOTONIC)
void receiveLoop(int prio) {
  realtime(prio);
  std::vector<char> buf(65536);
  char ctl[256];
  for (;;) {
    iovec iov{buf.data(), buf.size()};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    ssize_t n = recvmsg(sock, &mh, 0);
    int64_t mono = monoNs();
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      bool byUs;
      {
        std::lock_guard<PiMutex> g(schedMutex);
        byUs = closing;
      }
      if (byUs) Out(7).emit();
      else Out(6).text(n == 0 ? "the server closed the connection" : std::string("socket error: ") + strerror(errno)).emit();
      flushAndExit();
    }
    int64_t stamp = mono;
    uint8_t kernel = 0;
    for (cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts, rt;
        memcpy(&ts, CMSG_DATA(c), sizeof ts);
        clock_gettime(CLOCK_REALTIME, &rt);
        int64_t age = (int64_t(rt.tv_sec) - ts.tv_sec) * 1000000000 + (rt.tv_nsec - ts.tv_nsec);
        // A stamp from the future or older than a second is a clock step, not a delay: keep ours.
        if (age >= 0 && age < 1000000000) stamp = mono - age, kernel = 1;
      }
    Out(3).i64(stamp).u8(kernel).text(std::string(buf.data(), size_t(n))).emit();
  }
}

bool readAll(int fd, void *p, size_t n) {
  for (size_t off = 0; off < n;) {
    ssize_t r = read(fd, static_cast<char *>(p) + off, n - off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    off += size_t(r);
  }
  return true;
}

template <typename T>
T take(const std::string &b, size_t &at) {
  T v{};
  if (at + sizeof v <= b.size()) memcpy(&v, b.data() + at, sizeof v);
  at += sizeof v;
  return v;
}

void closeConnection() {
  {
    std::lock_guard<PiMutex> g(schedMutex);
    closing = true;
    periodics.clear();
  }
  pthread_cond_signal(&schedCond);
  shutdown(sock, SHUT_WR);  // the server closes its side; the receive thread then reports 'closed'
  startThread([](int) {
    sleep(1);  // a server that never closes must not hang close()
    Out(7).emit();
    flushAndExit();
  }, 0);
}

// ---- commands from Node (stdin), on the main thread
void commandLoop() {
  for (;;) {
    uint32_t n;
    if (!readAll(0, &n, 4) || n == 0 || n > (1u << 20)) break;
    std::string b(n, '\0');
    if (!readAll(0, &b[0], n)) break;
    size_t at = 1;
    switch (uint8_t(b[0])) {
      case 1:
        sendText(b.substr(1));
        break;
      case 2: {
        Periodic p{};
        uint32_t slot = take<uint32_t>(b, at);
        p.count = take<uint32_t>(b, at);
        p.firstDue = take<int64_t>(b, at);
        p.period = take<int64_t>(b, at);
        p.gen = take<uint32_t>(b, at);
        if (p.period <= 0) break;
        p.text = b.substr(std::min(at, b.size()));
        {
          std::lock_guard<PiMutex> g(schedMutex);
          periodics[slot] = p;
        }
        pthread_cond_signal(&schedCond);
        break;
      }
      case 3: {
        uint32_t slot = take<uint32_t>(b, at);
        uint32_t gen = take<uint32_t>(b, at);
        std::lock_guard<PiMutex> g(schedMutex);
        auto it = periodics.find(slot);
        if (it != periodics.end()) it->second.text = b.substr(std::min(at, b.size())), it->second.gen = gen;
        break;
      }
      case 4: {
        uint32_t slot = take<uint32_t>(b, at);
        {
          std::lock_guard<PiMutex> g(schedMutex);
          periodics.erase(slot);
        }
        pthread_cond_signal(&schedCond);
        break;
      }
      case 5:
        closeConnection();
        break;
    }
  }
  // Node closed our stdin: it is gone or done with us.
  closeConnection();
  pause();
}

int connectTo(const char *host, const char *port, int timeoutMs, std::string &why) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (int e = getaddrinfo(host, port, &hints, &res); e != 0) return why = std::string("cannot resolve: ") + gai_strerror(e), -1;
  int fd = -1;
  for (addrinfo *a = res; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      why = strerror(errno), close(fd), fd = -1;
      continue;
    }
    pollfd pf{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&pf, 1, timeoutMs) != 1) err = ETIMEDOUT;
    else getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) why = strerror(err), close(fd), fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: mcs-hil-rt-can HOST PORT [CONNECT_TIMEOUT_MS] [PRIORITY] [SPIN_LEAD_MS]\n");
    return 2;
  }
  int timeoutMs = argc > 3 ? atoi(argv[3]) : 5000;
  int prio = argc > 4 ? atoi(argv[4]) : 80;
  spinLeadNs = argc > 5 ? int64_t(atof(argv[5]) * 1e6) : 0;
  std::string why;
  sock = connectTo(argv[1], argv[2], timeoutMs, why);
  if (sock < 0) {
    Out(2).text("cannot connect (" + why + ")").emit();
    flushAndExit();
  }
  int one = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(sock, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);

  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&schedCond, &ca);

  std::string note = mlockall(MCL_CURRENT | MCL_FUTURE) == 0 ? "memory locked" : std::string("memory not locked: ") + strerror(errno);
  // The threads inherit nothing: each sets its own policy; probe it here once so the note says what they get.
  std::string rt = realtime(prio);
  sched_param normal{};
  pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);  // commands are not time-critical
  std::string spin = spinLeadNs > 0 ? ", transmit spins " + std::to_string(spinLeadNs / 1000) + " us before each due time" : "";
  Out(1).text(rt + ", " + note + spin + ", kernel receive stamps (SO_TIMESTAMPNS)").emit();

  startThread(writerLoop, 0);
  startThread(transmitLoop, prio + 1);
  startThread(receiveLoop, prio);
  commandLoop();
}
