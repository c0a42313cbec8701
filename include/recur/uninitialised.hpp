#pragma once
/// \file uninitialised.hpp
/// Vectors that grow without zeroing: for large buffers whose every value is written right after
/// they grow (band keys, shingle sets, suffix arrays), where writing zeros first was a pass over
/// hundreds of MB.
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace recur {

/// std::allocator, except that value-initialising a value (what vector::resize does) leaves it
/// uninitialised: resize() then only reserves memory, and the kernel clears each page where it is
/// first written.
template <class T>
struct UninitialisedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {  // named, so that no standard library rebinds to std::allocator<U> by inheritance
    using other = UninitialisedAllocator<U>;
  };
  UninitialisedAllocator() noexcept = default;
  template <class U>
  UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}  // rebinding, as std::allocator's
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A vector whose resize() leaves the new values uninitialised.
template <class T>
using UninitialisedVector = std::vector<T, UninitialisedAllocator<T>>;

}  // namespace recur
