//! How the process asks the C allocator to behave, so that memory goes back to the operating
//! system when the load ends.
//!
//! glibc's malloc raises its mmap threshold to the size of the largest block freed (up to
//! 32 MiB), after which large buffers (argon2's 19 MiB blocks, large bodies) are carved from
//! per-thread arenas and kept there after they are freed; and it makes up to 8 arenas per core.
//! A fixed threshold keeps every allocation of 128 KiB or more in its own mapping, unmapped when
//! freed, and two arenas per core are enough for a server whose threads are few and fixed.
//! Measured with `bench/run` (see the README): memory at the end of the sign-up load 185 MB
//! without these settings, 80 MB with them.
//!
//! This is the only module allowed `unsafe`: two calls into the C library, each with no
//! precondition beyond what is said at the call.
#![allow(unsafe_code)]

/// Sets the allocator's thresholds; call first thing in `main`, before any thread starts.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let arenas = libc::c_int::try_from(2 * cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only changes allocator parameters; it is called before other threads
        // exist, and glibc ignores values it does not accept.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Gives the allocator's free pages back to the operating system (after a burst of work).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions; it only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
}
