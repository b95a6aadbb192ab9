// Which worker owns an SA. The owner alone touches its sequence numbers and
// replay window, and every other worker hands it the SA's packets
// (handoff.hpp), so the choice spreads the ESP work over the cores.
//
// Policy: all SAs of one tunnel (both directions, every CHILD_SA and its
// rekeyed successors) live on one worker, so a tunnel's state stays on one
// core and its flows are never reordered between cores. A tunnel that holds
// no SA yet goes to the worker owning the fewest SAs (the lowest id on a
// tie). While a tunnel holds any SA its successors stay where it is (a
// rekey is make-before-break, so the old SA is still there when the new one
// comes); once its last SA is gone it is placed afresh next time, which is
// how the load rebalances as tunnels reconnect. Control thread only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vpngw::dataplane {

class SaPlacement {
 public:
  explicit SaPlacement(uint32_t workers) : load_(workers == 0 ? 1 : workers, 0) {}

  // The owner for one more SA of `tunnel` (counted until release()).
  uint32_t place(const std::string& tunnel) {
    auto it = tunnels_.find(tunnel);
    if (it == tunnels_.end()) {
      uint32_t best = 0;
      for (uint32_t w = 1; w < load_.size(); ++w)
        if (load_[w] < load_[best]) best = w;
      it = tunnels_.emplace(tunnel, Placed{best, 0}).first;
    }
    ++it->second.sas;
    ++load_[it->second.owner];
    return it->second.owner;
  }

  // One SA of `tunnel` is gone.
  void release(const std::string& tunnel) {
    auto it = tunnels_.find(tunnel);
    if (it == tunnels_.end()) return;
    --load_[it->second.owner];
    if (--it->second.sas == 0) tunnels_.erase(it);
  }

  void clear() {
    tunnels_.clear();
    std::fill(load_.begin(), load_.end(), 0);
  }

  // SAs owned by `worker`.
  uint32_t load(uint32_t worker) const { return worker < load_.size() ? load_[worker] : 0; }
  uint32_t workers() const { return static_cast<uint32_t>(load_.size()); }

 private:
  struct Placed {
    uint32_t owner;
    uint32_t sas;
  };
  std::vector<uint32_t> load_;
  std::map<std::string, Placed> tunnels_;
};

}  // namespace vpngw::dataplane
