#include "key_set.hpp"

#include <cstring>
#include <stdexcept>

#include "no_postgres.hpp"

namespace fkg {

BinaryKeySet::BinaryKeySet(size_t width) : width_(width) {
  if (width == 0 || width > kMaxWidth) throw std::invalid_argument("BinaryKeySet: key width must be 1 to 16 bytes");
}

BinaryKeySet::Slot BinaryKeySet::load(const void *key) const noexcept {
  unsigned char buf[kMaxWidth] = {0};
  std::memcpy(buf, key, width_);
  // Little-endian whatever the machine's order (as_integer relies on it);
  // a plain load on little-endian machines.
  Slot s{0, 0};
  for (int i = 7; i >= 0; i--) {
    s.lo = (s.lo << 8) | buf[i];
    s.hi = (s.hi << 8) | buf[8 + i];
  }
  return s;
}

// Sign-extended from width_ bytes: a bijection between keys and integers.
int64_t BinaryKeySet::as_integer(uint64_t lo) const noexcept {
  unsigned shift = 64 - 8 * (unsigned)width_;
  return shift == 0 ? (int64_t)lo : (int64_t)(lo << shift) >> shift;
}

// murmur3's 64-bit finalizer over both halves: keys that differ in any bit
// spread over the whole table (sequential integers included).
uint64_t BinaryKeySet::hash(const Slot &s) noexcept {
  uint64_t h = s.lo ^ (s.hi * 0x9e3779b97f4a7c15ULL);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

void BinaryKeySet::insert(const void *key) {
  if (finished_) throw std::logic_error("BinaryKeySet: insert after finish");
  Slot s = load(key);
  if (width_ <= 8) {
    int64_t v = as_integer(s.lo);
    if (pending_.empty() || v < min_) min_ = v;
    if (pending_.empty() || v > max_) max_ = v;
  }
  pending_.push_back(s);
}

void BinaryKeySet::finish() {
  if (finished_) return;
  size_t n = pending_.size();
  uint64_t span = (uint64_t)max_ - (uint64_t)min_;  // max_ - min_, exact
  if (n > 0 && width_ <= 8 && span / 32 < n) {
    std::vector<uint64_t> bits(span / 64 + 1, 0);
    for (const Slot &s : pending_) {
      uint64_t k = (uint64_t)as_integer(s.lo) - (uint64_t)min_;
      uint64_t bit = uint64_t{1} << (k % 64);
      if (!(bits[k / 64] & bit)) count_++;
      bits[k / 64] |= bit;
    }
    bitmap_.swap(bits);
  } else {
    size_t size = 16;
    while (size * 7 < n * 10) size *= 2;  // at most 70% full
    std::vector<Slot> slots(size, Slot{0, 0});
    mask_ = size - 1;
    for (const Slot &s : pending_) {
      if (s.lo == 0 && s.hi == 0) {
        if (!has_zero_) count_++;
        has_zero_ = true;
        continue;
      }
      size_t i = hash(s) & mask_;
      while ((slots[i].lo != 0 || slots[i].hi != 0) && (slots[i].lo != s.lo || slots[i].hi != s.hi))
        i = (i + 1) & mask_;
      if (slots[i].lo == 0 && slots[i].hi == 0) {
        slots[i] = s;
        count_++;
      }
    }
    slots_.swap(slots);
  }
  std::vector<Slot>().swap(pending_);
  finished_ = true;
}

bool BinaryKeySet::contains(const void *key) const noexcept {
  if (!finished_) return false;
  Slot s = load(key);
  if (!bitmap_.empty()) {
    int64_t v = as_integer(s.lo);
    if (v < min_ || v > max_) return false;
    uint64_t k = (uint64_t)v - (uint64_t)min_;
    return (bitmap_[k / 64] >> (k % 64)) & 1;
  }
  return hash_contains(s);
}

bool BinaryKeySet::hash_contains(const Slot &s) const noexcept {
  if (s.lo == 0 && s.hi == 0) return has_zero_;
  if (slots_.empty()) return false;
  for (size_t i = hash(s) & mask_;; i = (i + 1) & mask_) {
    const Slot &t = slots_[i];
    if (t.lo == s.lo && t.hi == s.hi) return true;
    if (t.lo == 0 && t.hi == 0) return false;
  }
}

}  // namespace fkg
