// A set of fixed-width binary keys (1 to 16 bytes each): the referenced keys
// of an orphan check whose type compares by its bytes (integers, oid, date,
// time, timestamps, uuid, macaddr, bool, "char", enums), so that no value is
// converted to text.
//
// Keys are first collected (insert: appended, no lookup), then finish()
// builds the structure that contains() reads:
//   - keys of at most 8 bytes, read as little-endian signed integers, that
//     fill their range densely (at most 32 bits of range per key: surrogate
//     keys from a sequence) go into a bitmap of that range, small enough to
//     stay in the CPU's caches;
//   - others into an open-addressing hash table (linear probing, 16-byte
//     slots, sized once, at most 70% full).
//
// insert() and finish() may throw std::bad_alloc; contains() never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fkg {

class BinaryKeySet {
 public:
  static constexpr size_t kMaxWidth = 16;

  // width: bytes per key, 1 to kMaxWidth (std::invalid_argument otherwise).
  explicit BinaryKeySet(size_t width);

  // key points to `width` bytes. Before finish() only (std::logic_error after).
  void insert(const void *key);
  // After the last insert; contains() answers false for every key until then.
  void finish();
  bool contains(const void *key) const noexcept;

  size_t width() const noexcept { return width_; }
  size_t size() const noexcept { return count_; }  // distinct keys, after finish()
  bool uses_bitmap() const noexcept { return !bitmap_.empty(); }

 private:
  struct Slot {
    uint64_t lo, hi;
  };
  Slot load(const void *key) const noexcept;
  static uint64_t hash(const Slot &s) noexcept;
  int64_t as_integer(uint64_t lo) const noexcept;  // width_ <= 8
  bool hash_contains(const Slot &s) const noexcept;

  size_t width_;
  bool finished_ = false;
  std::vector<Slot> pending_;  // inserted keys, until finish()
  int64_t min_ = 0, max_ = 0;  // their range as integers (width_ <= 8)
  size_t count_ = 0;
  // The bitmap of min_ .. max_ (bit k: the key min_ + k) ...
  std::vector<uint64_t> bitmap_;
  // ... or the hash table: size mask_ + 1, a power of two; the all-zero key
  // marks an empty slot and is has_zero_ instead.
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  bool has_zero_ = false;
};

}  // namespace fkg
