// `iscsi-sim replay CAPTURE (--target HOST:PORT[,IQN] | --spawn) [options]`:
// re-drives the initiator side of every connection of a capture against a
// live target and reports where its answers differ from the recorded ones
// (replay/replayer.h).
#pragma once

#include <string>
#include <vector>

// Returns the process exit status: 0 no unexplained difference, 1
// differences (or expected ones not seen), 2 usage error or unreadable
// capture.
int replay_command(const std::vector<std::string>& args);
