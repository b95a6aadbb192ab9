#include "ike/sa/proposal_builder.hpp"

#include "ike/sa/transform_ids.hpp"

namespace vpngw::ike {

SaPayload ike_sa_offer(const IkePolicy& policy, ByteView spi) {
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::ike;
  p.spi.assign(spi.begin(), spi.end());
  p.transforms.push_back(encr_transform(policy.encryption));
  p.transforms.push_back(prf_transform(policy.integrity));
  if (!is_aead(policy.encryption)) p.transforms.push_back(integ_transform(policy.integrity));
  p.transforms.push_back(dh_transform(policy.dh_group));
  return SaPayload{{std::move(p)}};
}

SaPayload esp_sa_offer(const IpsecPolicy& policy, uint32_t spi, bool with_pfs_group) {
  Proposal p;
  p.number = 1;
  p.protocol = ProtocolId::esp;
  p.spi = {static_cast<uint8_t>(spi >> 24), static_cast<uint8_t>(spi >> 16),
           static_cast<uint8_t>(spi >> 8), static_cast<uint8_t>(spi)};
  p.transforms.push_back(encr_transform(policy.encryption));
  if (!is_aead(policy.encryption)) p.transforms.push_back(integ_transform(policy.integrity));
  if (with_pfs_group && policy.pfs != DhGroup::none) p.transforms.push_back(dh_transform(policy.pfs));
  p.transforms.push_back(esn_transform(policy.esn));
  return SaPayload{{std::move(p)}};
}

}  // namespace vpngw::ike
