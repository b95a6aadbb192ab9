#include "ike/engine/tasks/ike_natd.hpp"

#include "ike/crypto/nat_detection.hpp"

namespace vpngw::ike {

std::vector<Payload> natd_notifies(uint64_t spi_i, uint64_t spi_r, const Endpoint& source,
                                   const Endpoint& destination) {
  NotifyPayload s;
  s.type = NotifyType::nat_detection_source_ip;
  s.data = nat_detection_hash(spi_i, spi_r, source.address, source.port);
  NotifyPayload d;
  d.type = NotifyType::nat_detection_destination_ip;
  d.data = nat_detection_hash(spi_i, spi_r, destination.address, destination.port);
  return {s, d};
}

void process_natd(IkeSa& sa, const Message& message) {
  const uint64_t spi_i = message.header.spi_i;
  const uint64_t spi_r = message.header.spi_r;
  const Bytes peer_as_seen = nat_detection_hash(spi_i, spi_r, sa.remote.address, sa.remote.port);
  const Bytes us_as_known = nat_detection_hash(spi_i, spi_r, sa.local.address, sa.local.port);
  bool any_source = false, source_match = false, any_dest = false, dest_match = false;
  for (const NotifyPayload* n : message.notifies()) {
    if (n->type == NotifyType::nat_detection_source_ip) {
      any_source = true;
      source_match = source_match || n->data == peer_as_seen;
    } else if (n->type == NotifyType::nat_detection_destination_ip) {
      any_dest = true;
      dest_match = dest_match || n->data == us_as_known;
    }
  }
  sa.nat_remote = any_source && any_dest && !source_match;
  sa.nat_local = any_source && any_dest && !dest_match;
}

}  // namespace vpngw::ike
