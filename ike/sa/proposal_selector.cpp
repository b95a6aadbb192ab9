#include "ike/sa/proposal_selector.hpp"

#include "ike/sa/proposal_builder.hpp"
#include "ike/sa/transform_ids.hpp"

namespace vpngw::ike {

namespace {

bool has_type(const Proposal& p, TransformType type) {
  for (const Transform& t : p.transforms)
    if (t.type == type) return true;
  return false;
}

bool offers(const Proposal& p, const Transform& wanted) {
  for (const Transform& t : p.transforms)
    if (t == wanted) return true;
  return false;
}

bool only_types(const Proposal& p, std::initializer_list<TransformType> allowed) {
  for (const Transform& t : p.transforms) {
    bool ok = false;
    for (TransformType a : allowed) ok = ok || t.type == a;
    if (!ok) return false;
  }
  return true;
}

// With AES-GCM, integrity must be absent or NONE (RFC 5282 §8).
bool integrity_fits(const Proposal& p, Cipher cipher, Integrity integrity) {
  if (!is_aead(cipher)) return offers(p, integ_transform(integrity));
  if (!has_type(p, TransformType::integ)) return true;
  Transform none;
  none.type = TransformType::integ;
  none.id = integ_id::none;
  return offers(p, none);
}

std::string explain(const SaPayload& offered, const Proposal& wanted) {
  std::string out = "peer offered ";
  for (size_t i = 0; i < offered.proposals.size(); ++i) {
    if (i > 0) out += ", ";
    out += describe(offered.proposals[i]);
  }
  if (offered.proposals.empty()) out += "nothing";
  return out + "; we want " + describe(wanted);
}

uint32_t spi32(const Bytes& spi) {
  return static_cast<uint32_t>(spi[0]) << 24 | static_cast<uint32_t>(spi[1]) << 16 |
         static_cast<uint32_t>(spi[2]) << 8 | spi[3];
}

}  // namespace

Expected<IkeSelection, std::string> select_ike_proposal(const SaPayload& offered,
                                                        const IkePolicy& ours) {
  const Proposal wanted = ike_sa_offer(ours).proposals.front();
  for (const Proposal& p : offered.proposals) {
    if (p.protocol != ProtocolId::ike) continue;
    if (!only_types(p, {TransformType::encr, TransformType::prf, TransformType::integ,
                        TransformType::dh}))
      continue;
    if (!offers(p, encr_transform(ours.encryption)) || !offers(p, prf_transform(ours.integrity)) ||
        !integrity_fits(p, ours.encryption, ours.integrity) ||
        !offers(p, dh_transform(ours.dh_group)))
      continue;
    IkeSelection s;
    s.suite.encryption = ours.encryption;
    s.suite.prf = ours.integrity;
    s.suite.integrity = is_aead(ours.encryption) ? std::nullopt : std::optional(ours.integrity);
    s.suite.dh = ours.dh_group;
    s.accepted = wanted;
    s.accepted.number = p.number;
    s.accepted.spi = p.spi;
    return s;
  }
  return unexpected(explain(offered, wanted));
}

Expected<EspSelection, std::string> select_esp_proposal(const SaPayload& offered,
                                                        const IpsecPolicy& ours, bool pfs_applies) {
  const Proposal wanted = esp_sa_offer(ours, 0, pfs_applies).proposals.front();
  const bool want_group = pfs_applies && ours.pfs != DhGroup::none;
  for (const Proposal& p : offered.proposals) {
    if (p.protocol != ProtocolId::esp || p.spi.size() != 4) continue;
    if (!only_types(p, {TransformType::encr, TransformType::integ, TransformType::dh,
                        TransformType::esn}))
      continue;
    if (!offers(p, encr_transform(ours.encryption)) ||
        !integrity_fits(p, ours.encryption, ours.integrity))
      continue;
    if (pfs_applies) {
      // Without PFS the offer must allow "no group": none listed, or NONE.
      bool group_ok = want_group ? offers(p, dh_transform(ours.pfs))
                                 : !has_type(p, TransformType::dh) || offers(p, dh_transform(DhGroup::none));
      if (!group_ok) continue;
    }
    // ESN is mandatory in ESP offers, but a peer that leaves it out means
    // 32-bit sequence numbers.
    bool esn_ok = has_type(p, TransformType::esn) ? offers(p, esn_transform(ours.esn)) : !ours.esn;
    if (!esn_ok) continue;
    EspSelection s;
    s.suite.encryption = ours.encryption;
    s.suite.integrity = is_aead(ours.encryption) ? std::nullopt : std::optional(ours.integrity);
    s.suite.pfs = want_group ? ours.pfs : DhGroup::none;
    s.suite.esn = ours.esn;
    s.peer_spi = spi32(p.spi);
    s.accepted = wanted;
    s.accepted.number = p.number;
    s.accepted.spi = p.spi;
    return s;
  }
  return unexpected(explain(offered, wanted));
}

}  // namespace vpngw::ike
