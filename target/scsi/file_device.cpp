#include "scsi/file_device.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace iscsi::scsi {

namespace {

// iovecs handed to one preadv/pwritev call; longer lists take several calls.
constexpr int kMaxIov = 64;

// Walks a buffer list, producing iovecs for the unconsumed part.
template <class Buf>
class IovCursor {
 public:
  explicit IovCursor(std::span<const Buf> bufs) : bufs_(bufs) { skip_empty(); }

  bool done() const { return index_ == bufs_.size(); }

  int fill(iovec* iov, int max) const {
    int n = 0;
    std::size_t skip = skip_;
    for (std::size_t i = index_; i < bufs_.size() && n < max; ++i) {
      const Buf& b = bufs_[i];
      if (b.size() > skip) {
        iov[n].iov_base = const_cast<std::uint8_t*>(b.data() + skip);
        iov[n].iov_len = b.size() - skip;
        ++n;
      }
      skip = 0;
    }
    return n;
  }

  void advance(std::size_t n) {
    while (n > 0 && index_ < bufs_.size()) {
      const std::size_t left = bufs_[index_].size() - skip_;
      if (n < left) {
        skip_ += n;
        return;
      }
      n -= left;
      ++index_;
      skip_ = 0;
    }
    skip_empty();
  }

 private:
  void skip_empty() {
    while (index_ < bufs_.size() && bufs_[index_].size() == skip_) {
      ++index_;
      skip_ = 0;
    }
  }

  std::span<const Buf> bufs_;
  std::size_t index_ = 0;
  std::size_t skip_ = 0;
};

std::string errno_text(const std::string& what, const std::string& path, int e) {
  return what + " " + path + ": " + std::strerror(e);
}

IoErrc write_errc(int e) {
  switch (e) {
    case ENOSPC:
    case EDQUOT:
      return IoErrc::NoSpace;
    case EBADF:
    case EROFS:
      return IoErrc::ReadOnly;
    default:
      return IoErrc::WriteError;
  }
}

}  // namespace

wire::Result<std::unique_ptr<FileDevice>, std::string> FileDevice::open(
    const std::string& path, std::optional<std::uint64_t> size, std::uint32_t block_size,
    bool read_only) {
  using Err = wire::Unexpected<std::string>;
  if (block_size != 512 && block_size != 4096) {
    return Err("block size " + std::to_string(block_size) + " is not 512 or 4096");
  }
  const int flags = (read_only ? O_RDONLY : (O_RDWR | O_CREAT)) | O_CLOEXEC;
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return Err(errno_text("cannot open", path, errno));
  auto fail = [fd](std::string message) {
    ::close(fd);
    return Err(std::move(message));
  };

  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errno_text("cannot stat", path, errno));
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return fail(path + " is neither a regular file nor a block device");
  }
  // SEEK_END gives the size of regular files and block devices alike.
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) return fail(errno_text("cannot find the size of", path, errno));
  std::uint64_t current = static_cast<std::uint64_t>(end);

  if (size) {
    if (*size > static_cast<std::uint64_t>(INT64_MAX)) {
      return fail("size " + std::to_string(*size) + " is too large for " + path);
    }
    if (current < *size) {
      if (read_only) {
        return fail(path + " has " + std::to_string(current) +
                    " bytes; a read-only LUN cannot extend it to " + std::to_string(*size));
      }
      if (!S_ISREG(st.st_mode)) {
        return fail(path + " has " + std::to_string(current) + " bytes, fewer than " +
                    std::to_string(*size));
      }
      if (::ftruncate(fd, static_cast<off_t>(*size)) != 0) {
        return fail(errno_text("cannot extend", path, errno));
      }
      current = *size;
    } else if (current > *size) {
      return fail(path + " has " + std::to_string(current) + " bytes, more than the size " +
                  std::to_string(*size) + " given; refusing to truncate it");
    }
  }
  if (current == 0) return fail(path + " is empty; give a size (file:PATH:SIZE)");
  if (current % block_size != 0) {
    return fail("the size of " + path + " (" + std::to_string(current) +
                " bytes) is not a multiple of the block size " + std::to_string(block_size));
  }
  return std::unique_ptr<FileDevice>(
      new FileDevice(fd, current / block_size, block_size, read_only));
}

FileDevice::~FileDevice() {
  ::close(fd_);
}

IoStatus FileDevice::read(std::uint64_t offset, std::span<const wire::MutableByteView> dst) {
  if (!in_range(offset, total_length(dst))) return IoStatus::failure(IoErrc::OutOfRange);
  IovCursor<wire::MutableByteView> cursor(dst);
  std::uint64_t pos = offset;
  while (!cursor.done()) {
    iovec iov[kMaxIov];
    const int n = cursor.fill(iov, kMaxIov);
    const ssize_t r = ::preadv(fd_, iov, n, static_cast<off_t>(pos));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoStatus::failure(IoErrc::ReadError, errno);
    }
    // End of file inside the device: the file shrank under us.
    if (r == 0) return IoStatus::failure(IoErrc::ReadError);
    cursor.advance(static_cast<std::size_t>(r));
    pos += static_cast<std::uint64_t>(r);
  }
  return IoStatus::success();
}

IoStatus FileDevice::write(std::uint64_t offset, std::span<const wire::ByteView> src, bool fua) {
  if (read_only_) return IoStatus::failure(IoErrc::ReadOnly);
  if (!in_range(offset, total_length(src))) return IoStatus::failure(IoErrc::OutOfRange);
  bool dsync = fua && dsync_flag_works_.load(std::memory_order_relaxed);
  IovCursor<wire::ByteView> cursor(src);
  std::uint64_t pos = offset;
  while (!cursor.done()) {
    iovec iov[kMaxIov];
    const int n = cursor.fill(iov, kMaxIov);
    const ssize_t r = dsync ? ::pwritev2(fd_, iov, n, static_cast<off_t>(pos), RWF_DSYNC)
                            : ::pwritev(fd_, iov, n, static_cast<off_t>(pos));
    if (r < 0) {
      const int e = errno;
      if (e == EINTR) continue;
      if (dsync && (e == EOPNOTSUPP || e == ENOSYS || e == EINVAL)) {
        // Kernel or file system without RWF_DSYNC: write plainly, then fdatasync.
        dsync_flag_works_.store(false, std::memory_order_relaxed);
        dsync = false;
        continue;
      }
      return IoStatus::failure(write_errc(e), e);
    }
    if (r == 0) return IoStatus::failure(IoErrc::WriteError);
    cursor.advance(static_cast<std::size_t>(r));
    pos += static_cast<std::uint64_t>(r);
  }
  if (fua && !dsync) return flush();
  return IoStatus::success();
}

IoStatus FileDevice::flush() {
  while (::fdatasync(fd_) != 0) {
    if (errno == EINTR) continue;
    // EINVAL: the file does not support synchronisation (a special file);
    // there is nothing to make durable.
    if (errno == EINVAL) return IoStatus::success();
    return IoStatus::failure(IoErrc::WriteError, errno);
  }
  return IoStatus::success();
}

IoStatus FileDevice::unmap(std::uint64_t offset, std::uint64_t length) {
  if (read_only_) return IoStatus::failure(IoErrc::ReadOnly);
  if (!in_range(offset, length)) return IoStatus::failure(IoErrc::OutOfRange);
  if (length == 0) return IoStatus::success();
  if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0) {
    return IoStatus::success();
  }
  const int e = errno;
  if (e == EOPNOTSUPP || e == ENOSYS || e == ENODEV) return write_zeros(offset, length);
  return IoStatus::failure(write_errc(e), e);
}

IoStatus FileDevice::write_zeros(std::uint64_t offset, std::uint64_t length) {
  static const std::uint8_t kZeros[65536] = {};
  while (length > 0) {
    const std::size_t chunk =
        length < sizeof kZeros ? static_cast<std::size_t>(length) : sizeof kZeros;
    const ssize_t r = ::pwrite(fd_, kZeros, chunk, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoStatus::failure(write_errc(errno), errno);
    }
    if (r == 0) return IoStatus::failure(IoErrc::WriteError);
    offset += static_cast<std::uint64_t>(r);
    length -= static_cast<std::uint64_t>(r);
  }
  return IoStatus::success();
}

Allocation FileDevice::allocation(std::uint64_t offset, std::uint64_t length) const {
  if (length == 0 || !in_range(offset, length)) return Allocation{true, length};
  const auto at = static_cast<off_t>(offset);
  const off_t data = ::lseek(fd_, at, SEEK_DATA);
  if (data < 0) {
    // ENXIO: no data at or after `offset` (a hole up to the end). Any other
    // error: the file system cannot say, so the range counts as mapped.
    if (errno == ENXIO) return Allocation{false, length};
    return Allocation{true, length};
  }
  if (data > at) {
    return Allocation{false,
                      std::min<std::uint64_t>(length, static_cast<std::uint64_t>(data - at))};
  }
  const off_t hole = ::lseek(fd_, at, SEEK_HOLE);
  if (hole <= at) return Allocation{true, length};
  return Allocation{true, std::min<std::uint64_t>(length, static_cast<std::uint64_t>(hole - at))};
}

}  // namespace iscsi::scsi
