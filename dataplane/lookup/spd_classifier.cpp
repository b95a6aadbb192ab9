#include "dataplane/lookup/spd_classifier.hpp"

#include <rte_errno.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "dataplane/lookup/dpdk_name.hpp"

namespace vpngw::dataplane {

namespace {

enum SpdField : uint8_t { kFieldUnused, kFieldGateway, kFieldSrc, kFieldDst, kFieldCount };

RTE_ACL_RULE_DEF(SpdAclRule, kFieldCount);

// rte_acl reads the key in 4-byte groups; each field here has its own group
// (input_index), the one-byte first field padded to four.
rte_acl_config spd_acl_config() {
  rte_acl_config cfg{};
  cfg.num_categories = 1;
  cfg.num_fields = kFieldCount;
  cfg.defs[0] = {RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint8_t), kFieldUnused, 0,
                 offsetof(SpdKey, unused)};
  cfg.defs[1] = {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), kFieldGateway, 1,
                 offsetof(SpdKey, gateway_be)};
  cfg.defs[2] = {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), kFieldSrc, 2,
                 offsetof(SpdKey, src_be)};
  cfg.defs[3] = {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), kFieldDst, 3,
                 offsetof(SpdKey, dst_be)};
  cfg.max_size = 0;  // no limit: rte_acl picks its own trie split
  return cfg;
}

// Rule values are given in host byte order; rte_acl converts them to match
// the big-endian key.
SpdAclRule to_acl_rule(const SpdRuleSpec& spec, uint32_t priority) {
  SpdAclRule rule{};
  rule.data.category_mask = 1;
  rule.data.priority = static_cast<int32_t>(priority);
  // userdata 0 means "no match" to rte_acl, hence the +1 (undone on lookup).
  rule.data.userdata = spec.action + 1;
  rule.field[kFieldUnused].value.u8 = 0;
  rule.field[kFieldUnused].mask_range.u8 = 0;
  rule.field[kFieldGateway].value.u32 = spec.gateway_index;
  rule.field[kFieldGateway].mask_range.u32 = 32;
  rule.field[kFieldSrc].value.u32 = spec.local.first().value;
  rule.field[kFieldSrc].mask_range.u32 = spec.local.len;
  rule.field[kFieldDst].value.u32 = spec.peer.first().value;
  rule.field[kFieldDst].mask_range.u32 = spec.peer.len;
  return rule;
}

}  // namespace

std::unique_ptr<SpdClassifier> SpdClassifier::build(std::span<const SpdRuleSpec> rules,
                                                    std::string* error) {
  // The first rule gets the highest priority; priorities must stay >= 1.
  if (rules.size() >= static_cast<size_t>(RTE_ACL_MAX_PRIORITY)) {
    *error = "too many SPD rules: " + std::to_string(rules.size());
    return nullptr;
  }
  for (const SpdRuleSpec& r : rules) {
    if (r.action == kNoAction) {
      *error = "SPD rule " + r.local.str() + " -> " + r.peer.str() + ": action " +
               std::to_string(r.action) + " is reserved for 'no match'";
      return nullptr;
    }
  }
  if (rules.empty()) return std::unique_ptr<SpdClassifier>(new SpdClassifier(nullptr, 0));

  const std::string name = unique_dpdk_name("vpngw-spd");
  rte_acl_param param{};
  param.name = name.c_str();
  param.socket_id = SOCKET_ID_ANY;
  param.rule_size = RTE_ACL_RULE_SZ(kFieldCount);
  param.max_rule_num = static_cast<uint32_t>(rules.size());
  rte_acl_ctx* ctx = rte_acl_create(&param);
  if (ctx == nullptr) {
    *error = std::string("rte_acl_create: ") + rte_strerror(rte_errno);
    return nullptr;
  }
  std::unique_ptr<SpdClassifier> classifier(new SpdClassifier(ctx, rules.size()));

  std::vector<SpdAclRule> acl_rules;
  acl_rules.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    acl_rules.push_back(to_acl_rule(rules[i], static_cast<uint32_t>(RTE_ACL_MAX_PRIORITY - i)));
  }
  int rc = rte_acl_add_rules(ctx, reinterpret_cast<const rte_acl_rule*>(acl_rules.data()),
                             static_cast<uint32_t>(acl_rules.size()));
  if (rc != 0) {
    *error = std::string("rte_acl_add_rules: ") + rte_strerror(-rc);
    return nullptr;
  }
  const rte_acl_config cfg = spd_acl_config();
  rc = rte_acl_build(ctx, &cfg);
  if (rc != 0) {
    *error = std::string("rte_acl_build: ") + rte_strerror(-rc);
    return nullptr;
  }
  return classifier;
}

SpdClassifier::~SpdClassifier() { rte_acl_free(ctx_); }

uint16_t SpdClassifier::classify_burst(const SpdKey* keys, uint32_t* action_out,
                                       uint16_t n) const {
  if (ctx_ == nullptr) [[unlikely]] {
    for (uint16_t i = 0; i < n; ++i) action_out[i] = kNoAction;
    return 0;
  }
  // rte_acl takes an array of key pointers; build it on the stack in
  // chunks so any burst size works without allocation.
  std::array<const uint8_t*, kChunk> data;
  for (uint32_t base = 0; base < n; base += kChunk) {
    const uint32_t count = std::min<uint32_t>(kChunk, n - base);
    for (uint32_t i = 0; i < count; ++i) {
      data[i] = reinterpret_cast<const uint8_t*>(&keys[base + i]);
    }
    rte_acl_classify(ctx_, data.data(), action_out + base, count, 1);
  }
  uint16_t found = 0;
  for (uint16_t i = 0; i < n; ++i) {
    // userdata - 1: 0 (no match) wraps to kNoAction, the rest are actions.
    action_out[i] -= 1;
    found += action_out[i] != kNoAction;
  }
  return found;
}

uint32_t SpdClassifier::classify(uint32_t gateway_index, Ipv4Addr src, Ipv4Addr dst) const {
  const SpdKey key = SpdKey::from_host(gateway_index, src, dst);
  uint32_t action = kNoAction;
  classify_burst(&key, &action, 1);
  return action;
}

}  // namespace vpngw::dataplane
