// Outbound SPD on rte_acl: (gateway, inner source, inner destination) ->
// action (tunnel or SA-slot index). One ACL context holds the rules of every
// gateway, with the gateway index as an exact-match field, so a burst mixing
// gateways is classified in one call and the cost does not grow with the
// number of rules the way a linear scan does.
//
// Built whole by the control thread and read-only afterwards: workers
// classify concurrently; updates build a new classifier and swap it in
// (see published_table.hpp).
#pragma once

#include <rte_acl.h>
#include <rte_byteorder.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dataplane/lookup/lookup_specs.hpp"
#include "dataplane/lookup/table_id.hpp"

namespace vpngw::dataplane {

// The bytes rte_acl reads for one packet. Addresses and gateway are in
// network byte order, as the ACL compares them byte by byte; the first
// field is one byte because rte_acl requires its first field to be so.
struct SpdKey {
  uint8_t unused = 0;
  uint8_t pad[3] = {};
  uint32_t gateway_be = 0;
  uint32_t src_be = 0;
  uint32_t dst_be = 0;

  // From an inner IPv4 header's fields, which are already big-endian.
  static SpdKey from_packet(uint32_t gateway_index, uint32_t src_be, uint32_t dst_be) {
    SpdKey k;
    k.gateway_be = rte_cpu_to_be_32(gateway_index);
    k.src_be = src_be;
    k.dst_be = dst_be;
    return k;
  }
  static SpdKey from_host(uint32_t gateway_index, Ipv4Addr src, Ipv4Addr dst) {
    return from_packet(gateway_index, rte_cpu_to_be_32(src.value), rte_cpu_to_be_32(dst.value));
  }
};
static_assert(sizeof(SpdKey) == 16);

class SpdClassifier {
 public:
  // Builds the classifier, or returns nullptr and says why in `error`: an
  // action of kNoAction, too many rules for rte_acl's priorities, or DPDK
  // out of memory. Rules keep their order: the first matching rule wins.
  // Control thread only; 10 000 rules take well under a second.
  static std::unique_ptr<SpdClassifier> build(std::span<const SpdRuleSpec> rules,
                                              std::string* error);
  ~SpdClassifier();
  SpdClassifier(const SpdClassifier&) = delete;
  SpdClassifier& operator=(const SpdClassifier&) = delete;

  // Packet path: action_out[i] = action of the first rule matching keys[i],
  // or kNoAction. Returns how many matched a rule.
  uint16_t classify_burst(const SpdKey* keys, uint32_t* action_out, uint16_t n) const;
  // One packet; for the control path and tests.
  uint32_t classify(uint32_t gateway_index, Ipv4Addr src, Ipv4Addr dst) const;

  size_t rule_count() const { return rule_count_; }

  // Unique per built table (see table_id.hpp): caches of its results are
  // tagged with it.
  uint64_t id() const noexcept { return id_; }

 private:
  SpdClassifier(rte_acl_ctx* ctx, size_t rule_count) : ctx_(ctx), rule_count_(rule_count) {}

  static constexpr uint16_t kChunk = 64;  // keys per rte_acl_classify call

  rte_acl_ctx* ctx_;  // nullptr when there are no rules: nothing matches
  size_t rule_count_;
  uint64_t id_ = next_table_id();
};

}  // namespace vpngw::dataplane
