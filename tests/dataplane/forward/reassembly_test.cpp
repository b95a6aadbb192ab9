// Outer IPv4 fragments of ESP (a peer that fragments after encrypting) are
// reassembled per worker and decrypted; what cannot be is counted and freed.
#include <gtest/gtest.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "tests/dataplane/forward/forward_bench.hpp"
#include "tests/dataplane/ref_esp.hpp"
#include "tests/dataplane/test_env.hpp"

namespace vpngw::dataplane::forward::test {
namespace {

using dataplane::test::make_inner_packet;
using dataplane::test::ref_seal;
using dataplane::test::RefSealSpec;

constexpr size_t kEth = sizeof(rte_ether_hdr);
constexpr size_t kIpHeader = 20;

uint64_t drops(const io::WorkerIoCounters& c, DropReason why) { return c.drops[index_of(why)]; }

// RFC 791 fragmentation of `packet` (a 20-byte IPv4 header, no options) with
// at most `max_data` bytes of payload per fragment (rounded down to 8): each
// fragment a copy of the header with its own length, offset, MF and
// checksum. Written here, not taken from the code under test.
std::vector<Bytes> fragments_of(const Bytes& packet, size_t max_data) {
  max_data &= ~size_t{7};
  std::vector<Bytes> out;
  const size_t payload = packet.size() - kIpHeader;
  for (size_t off = 0; off < payload; off += max_data) {
    const size_t len = std::min(max_data, payload - off);
    Bytes f(kIpHeader + len);
    std::memcpy(f.data(), packet.data(), kIpHeader);
    std::memcpy(f.data() + kIpHeader, packet.data() + kIpHeader + off, len);
    const auto total = static_cast<uint16_t>(f.size());
    f[2] = static_cast<uint8_t>(total >> 8);
    f[3] = static_cast<uint8_t>(total);
    const bool more = off + len < payload;
    const auto field = static_cast<uint16_t>((more ? 0x2000 : 0) | (off / 8));
    f[6] = static_cast<uint8_t>(field >> 8);
    f[7] = static_cast<uint8_t>(field);
    dataplane::test::set_ipv4_checksum(f);
    out.push_back(std::move(f));
  }
  return out;
}

// The inner packet as the private port sends it: TTL one less.
Bytes routed(Bytes p) {
  --p[8];
  dataplane::test::set_ipv4_checksum(p);
  return p;
}

Bytes without_ethernet(const Bytes& f) { return Bytes(f.begin() + kEth, f.end()); }

class Reassembly : public ForwardBench {
 protected:
  Bytes sealed(uint16_t inner_len, uint64_t seq, Bytes* inner) {
    *inner = make_inner_packet(ip("198.19.2.20").value, ip("198.18.1.10").value, inner_len,
                               static_cast<uint32_t>(seq));
    RefSealSpec spec;
    spec.seq = seq;
    spec.payload = *inner;
    return ref_seal(inbound_params(), spec);
  }
};

TEST_F(Reassembly, EspFragmentsInAnyOrderLeaveThePrivatePortAsTheInnerPacket) {
  Bytes inner;
  const Bytes esp = sealed(1300, 1, &inner);
  std::vector<Bytes> pieces = fragments_of(esp, 512);
  ASSERT_EQ(pieces.size(), 3u);
  // Last first, then the first, then the middle, over two bursts.
  forward(0, kPublicPort, {frame(kPublicPort, pieces[2]), frame(kPublicPort, pieces[0])});
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  forward(0, kPublicPort, {frame(kPublicPort, pieces[1])});

  const std::vector<Bytes> out = transmitted(kPrivatePort);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(without_ethernet(out[0]), routed(inner));
  EXPECT_EQ(reassembly_[0]->reassembled(), 1u);
  EXPECT_EQ(drops(io_counters_, DropReason::fragmented), 0u);
  EXPECT_EQ(sas_->find_inbound(kSpiInbound, ip("192.0.2.1"))->usage.packets.get(), 1u);
}

TEST_F(Reassembly, TwoPacketsFragmentedInterleavedAreBothDecrypted) {
  Bytes inner1;
  Bytes inner2;
  const std::vector<Bytes> a = fragments_of(sealed(900, 1, &inner1), 600);
  Bytes second = sealed(900, 2, &inner2);
  second[5] ^= 0x55;  // another IP ID: another packet to reassemble
  dataplane::test::set_ipv4_checksum(second);
  const std::vector<Bytes> b = fragments_of(second, 600);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  forward(0, kPublicPort, {frame(kPublicPort, a[0]), frame(kPublicPort, b[1]),
                           frame(kPublicPort, b[0]), frame(kPublicPort, a[1])});
  const std::vector<Bytes> out = transmitted(kPrivatePort);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(without_ethernet(out[0]), routed(inner2));  // completed first
  EXPECT_EQ(without_ethernet(out[1]), routed(inner1));
}

TEST_F(Reassembly, AFragmentWhosePacketNeverCompletesIsDroppedAfterTheTimeout) {
  Bytes inner;
  const std::vector<Bytes> pieces = fragments_of(sealed(1300, 1, &inner), 512);
  forward(0, kPublicPort, {frame(kPublicPort, pieces[0])});
  EXPECT_EQ(drops(io_counters_, DropReason::fragmented), 0u);  // held, not yet lost
  // The bench's clock counts nanoseconds; past the timeout, the next burst
  // with a fragment frees the held one.
  clock_ += 4'000'000'000ull;
  Bytes other_inner;
  Bytes other = sealed(900, 2, &other_inner);
  other[5] ^= 0x55;
  dataplane::test::set_ipv4_checksum(other);
  const std::vector<Bytes> late = fragments_of(other, 600);
  forward(0, kPublicPort, {frame(kPublicPort, late[0])});
  EXPECT_EQ(drops(io_counters_, DropReason::fragmented), 1u);
  // The rest of the first packet now starts a new, incomplete reassembly.
  forward(0, kPublicPort, {frame(kPublicPort, pieces[1]), frame(kPublicPort, pieces[2])});
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  EXPECT_EQ(reassembly_[0]->reassembled(), 0u);
}

TEST_F(Reassembly, APacketLargerThanOneMbufAndFragmentsNotForUsAreDropped) {
  Bytes inner;
  // 2 400 bytes of ESP: each fragment fits an mbuf, the whole does not.
  const std::vector<Bytes> big = fragments_of(sealed(2300, 1, &inner), 1000);
  ASSERT_EQ(big.size(), 3u);
  const unsigned free_before = rte_mempool_avail_count(dataplane::test::test_pool());
  std::vector<rte_mbuf*> frames;
  for (const Bytes& f : big) frames.push_back(frame(kPublicPort, f));
  // A fragment of ESP to an address that is not the gateway's.
  Bytes foreign = sealed(1300, 2, &inner);
  foreign[16] = 198;  // destination 198.51.100.1
  foreign[17] = 51;
  foreign[18] = 100;
  foreign[19] = 1;
  dataplane::test::set_ipv4_checksum(foreign);
  frames.push_back(frame(kPublicPort, fragments_of(foreign, 512)[0]));
  forward(0, kPublicPort, frames);
  EXPECT_TRUE(transmitted(kPrivatePort).empty());
  EXPECT_EQ(drops(io_counters_, DropReason::fragmented), 4u);  // 3 pieces + the foreign one
  EXPECT_EQ(reassembly_[0]->reassembled(), 0u);
  // Every mbuf of the failed reassembly went back to the pool.
  EXPECT_EQ(rte_mempool_avail_count(dataplane::test::test_pool()), free_before);
}

}  // namespace
}  // namespace vpngw::dataplane::forward::test
