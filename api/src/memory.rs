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
//! It also holds the one scheduling call ([`lower_this_thread`]) and SQLite's process-wide
//! settings ([`tune_sqlite`]): this is the only module allowed `unsafe`, calls into C libraries,
//! each with no precondition beyond what is said at the call.
#![allow(unsafe_code)]

/// SQLite's process-wide settings; call before the first database connection opens (first thing
/// in `main`). Later calls do nothing.
///
/// - No memory statistics (`SQLITE_CONFIG_MEMSTATUS`): with them, every allocation SQLite makes
///   takes one process-wide mutex, which the threads answering requests then queue on.
/// - Multi-thread mode (`SQLITE_CONFIG_MULTITHREAD`): no mutex around every call on a
///   connection, since a pooled connection is used by the one thread that checked it out; the
///   library's shared state (the WAL index, the file locks) keeps its own locks.
///
/// Under a `GET /v1/me` load the two mutexes took about 12 % of the server's CPU samples (lock,
/// unlock and waking the other thread). Both options are SQLite's own advice for speed
/// (<https://sqlite.org/threadsafe.html>, <https://sqlite.org/c3ref/c_config_covering_index_scan.html>).
pub fn tune_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config must run before the library is initialized and with no other
        // SQLite call in progress: this runs once, before any connection of the process opens
        // (callers see to that), and waits for nothing else. Each option takes the arguments
        // given here (one int; none). If SQLite were initialized already, it answers
        // SQLITE_MISUSE and changes nothing, which leaves the defaults: correct, only slower.
        unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                std::ffi::c_int::from(0_i8),
            );
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD);
        }
    });
}

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

/// Gives back what a burst of work left behind, once it is over (after start-up, and when the
/// hashing threads go idle): the phone patterns compiled for it, the allocator's free pages, and
/// the program's own code pages (see [`release_code`]).
pub fn release_free_memory() {
    crate::domain::phone::forget_compiled_patterns();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions; it only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
    release_code();
}

/// Asks the kernel to reclaim the pages of this program's read-only mappings (its code and
/// constants) now (`madvise(MADV_PAGEOUT)`, Linux ≥ 5.4; ignored elsewhere).
///
/// Start-up runs code that nothing runs again (migrations, building the OpenAPI document and
/// the route table, loading templates), and the kernel maps file pages in large batches, so
/// that after start about 80 % of the program's 15 MB of code is resident although an idle
/// server runs a few hundred kilobytes of it. Those pages are clean copies of the executable
/// file: reclaiming them loses nothing, and whatever runs next is read back on first use (the
/// first requests after a release take a few milliseconds longer; a release happens at start
/// and when the hashing threads have been idle for 2 s). Pages shared with another process,
/// and every writable mapping, are left alone.
///
/// The same mappings are then marked for random access (`MADV_RANDOM`): a page of code that
/// runs again is read back alone, instead of with the 128 KiB around it that the kernel's
/// read-around would bring in and map. Code a request runs is scattered over the program, so
/// read-around mostly fills memory with code nothing runs: under a sign-in load the program's
/// resident pages went from 8.9 MB to 7.6 MB with it (`bench/run`'s memory under load, the
/// argon2 blocks aside), for about 2 ms more on the first request after a release.
pub fn release_code() {
    #[cfg(target_os = "linux")]
    {
        let (Ok(exe), Ok(maps)) = (
            std::fs::read_link("/proc/self/exe"),
            std::fs::read_to_string("/proc/self/maps"),
        ) else {
            return;
        };
        let Some(exe) = exe.to_str() else {
            return;
        };
        for (start, end) in read_only_mappings_of(&maps, exe) {
            // SAFETY: the range is one of this process's own file mappings, read-only and
            // private; MADV_PAGEOUT and MADV_RANDOM change no contents (a reclaimed page is read
            // back from the file on the next access) and only advise the kernel. Errors (an old
            // kernel) are ignored.
            unsafe {
                let at = start as *mut libc::c_void;
                libc::madvise(at, end - start, libc::MADV_PAGEOUT);
                libc::madvise(at, end - start, libc::MADV_RANDOM);
            }
        }
    }
}

/// `(start, end)` of every private mapping of `path` without write permission, from the text
/// of `/proc/self/maps` (`start-end perms offset dev inode path`).
#[cfg(any(target_os = "linux", test))]
fn read_only_mappings_of(maps: &str, path: &str) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let range = fields.next()?;
            let perms = fields.next()?;
            let mapped = fields.nth(3)?;
            if mapped != path
                || !perms.starts_with('r')
                || perms.as_bytes().get(1) != Some(&b'-')
                || !perms.ends_with('p')
            {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            let start = usize::from_str_radix(start, 16).ok()?;
            let end = usize::from_str_radix(end, 16).ok()?;
            (end > start).then_some((start, end))
        })
        .collect()
}

/// Lowers the calling thread's CPU priority by `nice` (Linux: each thread has its own nice
/// value; raising it needs no privilege). Elsewhere, or if the call fails, nothing changes.
pub fn lower_this_thread(nice: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let now = this_thread_nice();
        // SAFETY: gettid and setpriority read and set this thread's own scheduling priority.
        unsafe {
            let _ = libc::setpriority(
                libc::PRIO_PROCESS,
                libc::gettid() as libc::id_t,
                (now + nice).min(19),
            );
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = nice;
}

/// The calling thread's nice value (0 where it cannot be read).
pub fn this_thread_nice() -> i32 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: getpriority reads this thread's own priority.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_read_only_private_mappings_of_the_program_are_released() {
        let maps = "\
5581a000-5581c000 r--p 00000000 fe:01 123 /srv/portal
5581c000-5591c000 r-xp 00002000 fe:01 123 /srv/portal
5591c000-5592c000 rw-p 00102000 fe:01 123 /srv/portal
5592c000-5593c000 r--s 00112000 fe:01 123 /srv/portal
7f00a000-7f00b000 r-xp 00000000 fe:01 456 /usr/lib/x86_64-linux-gnu/libc.so.6
7f00c000-7f00d000 rw-p 00000000 00:00 0
7ffd0000-7ffd1000 rw-p 00000000 00:00 0 [stack]
";
        assert_eq!(
            read_only_mappings_of(maps, "/srv/portal"),
            vec![(0x5581_a000, 0x5581_c000), (0x5581_c000, 0x5591_c000)]
        );
        assert!(read_only_mappings_of(maps, "/srv/other").is_empty());
    }

    /// The resident file-backed pages of this process, from `/proc/self/status`.
    #[cfg(target_os = "linux")]
    fn resident_file_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("RssFile:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn releasing_code_hands_pages_back_and_the_program_runs_on() {
        let before = resident_file_kib();
        release_code();
        let after = resident_file_kib();
        assert!(
            after < before,
            "RssFile {before} kB before, {after} kB after"
        );
        // The code that runs next is read back on demand.
        let sum: u64 = (1..=1000).sum();
        assert_eq!(sum, 500_500);
        // And one page at a time: every read-only mapping of the program is marked random
        // access ("rr" among its VmFlags).
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        let exe = exe.to_str().unwrap();
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut marked = 0;
        let mut ours = false;
        for line in smaps.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            if first.split_once('-').is_some_and(|(a, b)| {
                u64::from_str_radix(a, 16).is_ok() && u64::from_str_radix(b, 16).is_ok()
            }) {
                // A mapping's first line: is it one that release_code marks?
                ours = !read_only_mappings_of(line, exe).is_empty();
            } else if ours && line.starts_with("VmFlags:") {
                assert!(line.split_whitespace().any(|f| f == "rr"), "{line}");
                marked += 1;
            }
        }
        assert!(
            marked > 0,
            "no read-only mapping of {exe} in /proc/self/smaps"
        );
    }
}
