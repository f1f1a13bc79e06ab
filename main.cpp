// coursefactory: blocks the stop signals, then hands the command line to app/commands.cpp.
#include <pthread.h>

#include <csignal>
#include <string>
#include <vector>

#include "app/commands.hpp"

int main(int argc, char** argv) {
  // Block the stop signals in every thread (all are started later and inherit the mask);
  // `serve` takes them on one thread with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return cf::run_command(std::vector<std::string>(argv + 1, argv + argc), signals);
}
