//! Password hashing with argon2id (OWASP's parameters: 19 MiB, 2 passes). Hashing is slow on
//! purpose, so callers in async code run it on the blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{Mutex, OnceLock};

fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).unwrap_or_default(),
    )
}

/// The argon2id PHC string of `password` with a fresh random salt.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        // Only fails for parameters out of range, which are constants here.
        .unwrap_or_default()
}

/// Whether `password` matches `phc`. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    verify_with_pooled_memory(password, phc).unwrap_or(false)
}

/// Work areas of argon2 (19 MiB each), kept for the next verification instead of freed.
///
/// Why: argon2 would otherwise allocate and free 19 MiB per call, on whichever blocking thread
/// runs it; the allocator keeps such blocks in per-thread arenas, so a server that verified
/// on many threads held ~19 MiB per arena for good (measured: +316 MB resident after 10,000
/// hostile sign-ins). Verifications are bounded (`VerifyGate`), so this pool holds at most
/// that many areas.
static WORK_AREAS: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Past this many idle areas, returned ones are freed (hashing outside the gate, e.g. a
/// directory import, may briefly use more).
const MAX_IDLE_WORK_AREAS: usize = 16;

fn verify_with_pooled_memory(password: &str, phc: &str) -> Option<bool> {
    let parsed = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed
        .version
        .map_or(Some(Version::default()), |v| Version::try_from(v).ok())?;
    let params = Params::try_from(&parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt_buffer = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt_buffer).ok()?;
    let mut area = take_work_area(params.block_count());
    let mut output = vec![0u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut output, &mut area[..])
        .is_ok();
    return_work_area(area);
    Some(hashed && constant_time_eq(&output, expected.as_bytes()))
}

fn take_work_area(blocks: usize) -> Vec<Block> {
    let pooled = WORK_AREAS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .pop();
    let mut area = pooled.unwrap_or_default();
    area.resize(blocks, Block::default());
    area
}

fn return_work_area(area: Vec<Block>) {
    let mut pool = WORK_AREAS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if pool.len() < MAX_IDLE_WORK_AREAS {
        pool.push(area);
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Spends the same time as a real verification when there is no hash to check (unknown user,
/// account without password), so that timing does not tell which accounts exist.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("an unguessable placeholder"));
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let phc = hash("correct horse");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse", &phc));
        assert!(!verify("correct horse!", &phc));
        assert!(!verify("correct horse", "not a hash"));
        assert_ne!(phc, hash("correct horse"), "salted");
    }
}
