//! The string formats: `email`, `url`, `uuid`, `mac`, `luhn`, `currency`
//! (their patterns are in `builtin.rs`).

use super::*;

/// `email` (`normalize` trims and lower-cases the stored value).
pub(super) fn run_email(
    e: &EmailRule,
    v: &mut Value,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    let Value::String(s) = &*v else {
        err(errors, "string", None, Some(v.clone()));
        return Ret::Same;
    };
    if s.is_empty() {
        if !e.empty {
            err(errors, "emailEmpty", None, Some(v.clone()));
        }
        return Ret::Same;
    }
    let val = if e.normalize {
        js::trim(s).to_lowercase()
    } else {
        s.clone()
    };
    let len = js::utf16_len(&val) as f64;
    if let Some(p) = &e.min {
        if len < p.num {
            err(
                errors,
                "emailMin",
                Some(p.exp.clone()),
                Some(js::number_to_json(len)),
            );
        }
    }
    if let Some(p) = &e.max {
        if len > p.num {
            err(
                errors,
                "emailMax",
                Some(p.exp.clone()),
                Some(js::number_to_json(len)),
            );
        }
    }
    let ok = if e.precise {
        EMAIL_PRECISE.test(&val)
    } else {
        EMAIL_BASIC.test(&val)
    };
    if !ok {
        err(errors, "email", None, Some(Value::String(val.clone())));
    }
    *v = Value::String(val);
    Ret::Same
}

/// `url`: `http(s)://` followed by non-space text.
pub(super) fn run_url(empty: bool, v: &mut Value, errors: &mut Vec<Pending>, err: ErrFn) -> Ret {
    let Value::String(s) = &*v else {
        err(errors, "string", None, Some(v.clone()));
        return Ret::Same;
    };
    if s.is_empty() {
        if !empty {
            err(errors, "urlEmpty", None, Some(v.clone()));
        }
        return Ret::Same;
    }
    if !URL.test(s) {
        err(errors, "url", None, Some(v.clone()));
    }
    Ret::Same
}

/// `uuid`, optionally of one version, with the variant check fastest-validator does.
pub(super) fn run_uuid(
    version: Option<&(f64, Exp)>,
    v: &mut Value,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    let Value::String(s) = &*v else {
        err(errors, "string", None, Some(v.clone()));
        return Ret::Same;
    };
    let val = s.to_lowercase();
    if !UUID.test(&val) {
        err(errors, "uuid", None, Some(v.clone()));
        return Ret::Same;
    }
    let vb = val.as_bytes();
    let ver = vb.get(14).map_or(0, |c| i64::from(c.wrapping_sub(b'0')));
    if let Some((want, exp)) = version {
        if *want != ver as f64 {
            err(
                errors,
                "uuidVersion",
                Some(exp.clone()),
                Some(Value::from(ver)),
            );
            return Ret::Same;
        }
    }
    if matches!(ver, 3 | 4 | 5 | 7 | 8) && !matches!(vb.get(19), Some(b'8' | b'9' | b'a' | b'b')) {
        err(errors, "uuid", None, Some(v.clone()));
    }
    Ret::Same
}

/// `mac`: a MAC address in `-`, `:` or `.` notation.
pub(super) fn run_mac(v: &mut Value, errors: &mut Vec<Pending>, err: ErrFn) -> Ret {
    let Value::String(s) = &*v else {
        err(errors, "string", None, Some(v.clone()));
        return Ret::Same;
    };
    if !MAC.test(&s.to_lowercase()) {
        err(errors, "mac", None, Some(v.clone()));
    }
    Ret::Same
}

/// `luhn`: the digits of the string pass the Luhn checksum.
pub(super) fn run_luhn(v: &mut Value, errors: &mut Vec<Pending>, err: ErrFn) -> Ret {
    let Value::String(s) = &*v else {
        err(errors, "string", None, Some(v.clone()));
        return Ret::Same;
    };
    const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    let digits: Vec<u32> = s
        .chars()
        .filter_map(|c| {
            if c.is_ascii_digit() {
                c.to_digit(10)
            } else {
                None
            }
        })
        .collect();
    let (mut bit, mut sum) = (1u32, 0u32);
    for d in digits.iter().rev() {
        bit ^= 1;
        sum += if bit == 0 {
            *d
        } else {
            DOUBLED[*d as usize % 10]
        };
    }
    if !(sum % 10 == 0 && sum > 0) {
        err(errors, "luhn", None, Some(v.clone()));
    }
    Ret::Same
}

/// `currency`: the pattern compiled from the rule's symbol and separators.
pub(super) fn run_currency(
    re: &RegExp,
    v: &mut Value,
    errors: &mut Vec<Pending>,
    err: ErrFn,
) -> Ret {
    // fastest-validator calls value.match() without a type check (a TypeError in JS
    // for non-strings); reported here as a currency error
    let ok = matches!(&*v, Value::String(s) if re.test(s));
    if !ok {
        err(errors, "currency", None, Some(v.clone()));
    }
    Ret::Same
}
