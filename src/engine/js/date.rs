//! JavaScript `Date`: V8's `Date.parse` (the ES date-time format, then V8's legacy
//! parser), `toISOString`, `toString`, and the `{"$date": iso}` value convention.

use crate::engine::js;
use serde_json::{Map, Value};

/// A JavaScript `Date` as it crosses the boundary: `{"$date": iso}`, or
/// `{"$date": null}` for an Invalid Date.
pub fn is_date(v: &Value) -> bool {
    matches!(v, Value::Object(o) if o.len() == 1 && o.contains_key("$date"))
}

/// A `Date` that holds a time (`{"$date": iso}`; not an Invalid Date).
pub fn is_valid_date(v: &Value) -> bool {
    matches!(v, Value::Object(o) if o.len() == 1 && o.get("$date").is_some_and(Value::is_string))
}

/// Milliseconds of a `{"$date": ...}` value; `None` for an Invalid Date.
pub fn date_ms(v: &Value) -> Option<f64> {
    let d = v.as_object()?.get("$date")?;
    let t = match d {
        Value::String(s) => js::parse_date(s).map(js::time_clip).unwrap_or(f64::NAN),
        Value::Number(n) => js::time_clip(n.as_f64().unwrap_or(f64::NAN)),
        _ => f64::NAN,
    };
    if t.is_nan() {
        None
    } else {
        Some(t)
    }
}

pub fn date_value(ms: f64) -> Value {
    let mut m = Map::new();
    let t = js::time_clip(ms);
    m.insert(
        "$date".into(),
        if t.is_nan() {
            Value::Null
        } else {
            Value::String(js::date_to_iso(t))
        },
    );
    Value::Object(m)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn time_clip(t: f64) -> f64 {
    if !t.is_finite() || t.abs() > 8.64e15 {
        f64::NAN
    } else {
        t.trunc() + 0.0
    }
}

/// MakeDate(MakeDay(year, month0, day), MakeTime(h, m, s, ms))
pub fn make_date(year: i64, month0: i64, day: i64, h: i64, mi: i64, s: i64, ms: i64) -> f64 {
    if year.abs() > 1_000_000 {
        return f64::NAN;
    }
    let ym = year + month0.div_euclid(12);
    let mn = month0.rem_euclid(12);
    let days = days_from_civil(ym, mn + 1, 1) + day - 1;
    days as f64 * 86_400_000.0 + (h * 3_600_000 + mi * 60_000 + s * 1000 + ms) as f64
}

fn split_ms(ms: f64) -> (i64, i64, i64, i64, i64, i64, i64, i64) {
    let t = ms as i64;
    let days = t.div_euclid(86_400_000);
    let rem = t.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let weekday = (days + 4).rem_euclid(7);
    (
        y,
        m,
        d,
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
        weekday,
    )
}

/// `Date.prototype.toISOString`
pub fn date_to_iso(ms: f64) -> String {
    let (y, m, d, h, mi, s, milli, _) = split_ms(ms);
    let year = if (0..=9999).contains(&y) {
        format!("{:04}", y)
    } else if y < 0 {
        format!("-{:06}", -y)
    } else {
        format!("+{:06}", y)
    };
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        year, m, d, h, mi, s, milli
    )
}

/// `new Date().toISOString()`: the current time.
pub fn now_iso() -> String {
    date_to_iso(chrono::Utc::now().timestamp_millis() as f64)
}

/// `new Date(ms).toISOString()` of a whole number of milliseconds (storage timestamps).
pub fn iso_of_ms(ms: i64) -> String {
    date_to_iso(ms as f64)
}

/// `Date.prototype.toString` with TZ=UTC.
pub fn date_to_string(ms: f64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d, h, mi, s, _, wd) = split_ms(ms);
    let year = if y >= 0 {
        format!("{:04}", y)
    } else {
        format!("-{:06}", -y)
    };
    format!(
        "{} {} {:02} {} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        DAYS[wd as usize % 7],
        MONTHS[(m as usize).saturating_sub(1) % 12],
        d,
        year,
        h,
        mi,
        s
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum KwType {
    Month,
    AmPm,
    TzName,
    TimeSep,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum DTok {
    Num(i64, usize),
    Sym(char),
    Word(KwType, i64, usize),
    Ws,
    Unknown,
    End,
    Invalid,
}

impl DTok {
    fn is_num(&self) -> bool {
        matches!(self, DTok::Num(..))
    }
    fn is_fixed(&self, len: usize) -> bool {
        matches!(self, DTok::Num(_, l) if *l == len)
    }
    fn num(&self) -> i64 {
        match self {
            DTok::Num(n, _) => *n,
            _ => -1,
        }
    }
    fn is_sym(&self, c: char) -> bool {
        *self == DTok::Sym(c)
    }
    fn is_sign(&self) -> bool {
        self.is_sym('+') || self.is_sym('-')
    }
    fn is_kw_z(&self) -> bool {
        matches!(self, DTok::Word(KwType::TzName, 0, 1))
    }
}

struct DateScanner {
    cs: Vec<char>,
    pos: usize,
    next: DTok,
}

impl DateScanner {
    fn new(s: &str) -> Self {
        let mut sc = DateScanner {
            cs: s.chars().collect(),
            pos: 0,
            next: DTok::End,
        };
        sc.next = sc.scan();
        sc
    }
    fn peek(&self) -> DTok {
        self.next
    }
    fn next_tok(&mut self) -> DTok {
        let t = self.next;
        self.next = self.scan();
        t
    }
    fn skip_sym(&mut self, c: char) -> bool {
        if self.next.is_sym(c) {
            self.next_tok();
            true
        } else {
            false
        }
    }
    fn scan(&mut self) -> DTok {
        let Some(&c) = self.cs.get(self.pos) else {
            return DTok::End;
        };
        if c.is_ascii_digit() {
            let start = self.pos;
            let mut n: i64 = 0;
            while let Some(d) = self.cs.get(self.pos).and_then(|c| {
                if c.is_ascii_digit() {
                    c.to_digit(10)
                } else {
                    None
                }
            }) {
                if self.pos - start < 9 {
                    n = n * 10 + i64::from(d);
                }
                self.pos += 1;
            }
            return DTok::Num(n, self.pos - start);
        }
        if matches!(c, ':' | '-' | '+' | '.' | ')') {
            self.pos += 1;
            return DTok::Sym(c);
        }
        let ws_char =
            |c: char| js::is_whitespace(c) && !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
        if c >= 'A' && !ws_char(c) {
            let mut prefix = [0u32; 3];
            let mut len = 0;
            while let Some(&w) = self.cs.get(self.pos) {
                if w < 'A' || ws_char(w) {
                    break;
                }
                if len < 3 {
                    prefix[len] = (w as u32) | 0x20;
                }
                len += 1;
                self.pos += 1;
            }
            return keyword(prefix, len);
        }
        if js::is_whitespace(c) {
            while self.cs.get(self.pos).is_some_and(|&c| js::is_whitespace(c)) {
                self.pos += 1;
            }
            return DTok::Ws;
        }
        if c == '(' {
            let mut balance = 0i64;
            loop {
                match self.cs.get(self.pos) {
                    Some(')') => balance -= 1,
                    Some('(') => balance += 1,
                    _ => {}
                }
                self.pos += 1;
                if balance <= 0 || self.pos >= self.cs.len() {
                    break;
                }
            }
            return DTok::Unknown;
        }
        self.pos += 1;
        DTok::Unknown
    }
}

fn keyword(prefix: [u32; 3], len: usize) -> DTok {
    const TABLE: &[(&str, KwType, i64)] = &[
        ("jan", KwType::Month, 1),
        ("feb", KwType::Month, 2),
        ("mar", KwType::Month, 3),
        ("apr", KwType::Month, 4),
        ("may", KwType::Month, 5),
        ("jun", KwType::Month, 6),
        ("jul", KwType::Month, 7),
        ("aug", KwType::Month, 8),
        ("sep", KwType::Month, 9),
        ("oct", KwType::Month, 10),
        ("nov", KwType::Month, 11),
        ("dec", KwType::Month, 12),
        ("am", KwType::AmPm, 0),
        ("pm", KwType::AmPm, 12),
        ("ut", KwType::TzName, 0),
        ("utc", KwType::TzName, 0),
        ("z", KwType::TzName, 0),
        ("gmt", KwType::TzName, 0),
        ("cdt", KwType::TzName, -5),
        ("cst", KwType::TzName, -6),
        ("edt", KwType::TzName, -4),
        ("est", KwType::TzName, -5),
        ("mdt", KwType::TzName, -6),
        ("mst", KwType::TzName, -7),
        ("pdt", KwType::TzName, -7),
        ("pst", KwType::TzName, -8),
        ("t", KwType::TimeSep, 0),
    ];
    for (word, ty, val) in TABLE {
        let mut p = [0u32; 3];
        for (i, c) in word.chars().enumerate() {
            p[i] = c as u32;
        }
        if p == prefix && (len <= 3 || *ty == KwType::Month) {
            return DTok::Word(*ty, *val, len);
        }
    }
    DTok::Word(KwType::Unknown, 0, len)
}

#[derive(Default)]
struct DayC {
    comp: [i64; 3],
    idx: usize,
    named_month: Option<i64>,
    iso: bool,
}

impl DayC {
    fn add(&mut self, n: i64) -> bool {
        if self.idx < 3 {
            self.comp[self.idx] = n;
            self.idx += 1;
            true
        } else {
            false
        }
    }
    fn write(&mut self) -> Option<(i64, i64, i64)> {
        if self.idx < 1 {
            return None;
        }
        while self.idx < 3 {
            self.comp[self.idx] = 1;
            self.idx += 1;
        }
        let is_day = |x: i64| (1..=31).contains(&x);
        let (mut year, month, day);
        match self.named_month {
            None => {
                if self.iso || !is_day(self.comp[0]) {
                    year = self.comp[0];
                    month = self.comp[1];
                    day = self.comp[2];
                } else {
                    month = self.comp[0];
                    day = self.comp[1];
                    year = self.comp[2];
                }
            }
            Some(nm) => {
                month = nm;
                if !is_day(self.comp[0]) {
                    year = self.comp[0];
                    day = self.comp[1];
                } else {
                    day = self.comp[0];
                    year = self.comp[1];
                }
            }
        }
        if !self.iso {
            if (0..=49).contains(&year) {
                year += 2000;
            } else if (50..=99).contains(&year) {
                year += 1900;
            }
        }
        if !(1..=12).contains(&month) || !is_day(day) {
            return None;
        }
        Some((year, month - 1, day))
    }
}

#[derive(Default)]
struct TimeC {
    comp: [i64; 4],
    idx: usize,
    hour_offset: Option<i64>,
}

impl TimeC {
    fn is_empty(&self) -> bool {
        self.idx == 0
    }
    fn add(&mut self, n: i64) -> bool {
        if self.idx < 4 {
            self.comp[self.idx] = n;
            self.idx += 1;
            true
        } else {
            false
        }
    }
    fn add_final(&mut self, n: i64) -> bool {
        if !self.add(n) {
            return false;
        }
        while self.idx < 4 {
            self.comp[self.idx] = 0;
            self.idx += 1;
        }
        true
    }
    fn is_expecting(&self, n: i64) -> bool {
        (self.idx == 1 && (0..=59).contains(&n))
            || (self.idx == 2 && (0..=59).contains(&n))
            || (self.idx == 3 && (0..=999).contains(&n))
    }
    fn write(&mut self) -> Option<(i64, i64, i64, i64)> {
        while self.idx < 4 {
            self.comp[self.idx] = 0;
            self.idx += 1;
        }
        let [mut h, m, s, ms] = self.comp;
        if let Some(off) = self.hour_offset {
            if !(0..=12).contains(&h) {
                return None;
            }
            h %= 12;
            h += off;
        }
        let ok = (0..=23).contains(&h)
            && (0..=59).contains(&m)
            && (0..=59).contains(&s)
            && (0..=999).contains(&ms);
        if !ok && (h != 24 || m != 0 || s != 0 || ms != 0) {
            return None;
        }
        Some((h, m, s, ms))
    }
}

#[derive(Default)]
struct TzC {
    sign: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
}

impl TzC {
    fn set(&mut self, off: i64) {
        self.sign = Some(if off < 0 { -1 } else { 1 });
        self.hour = Some(off.abs());
        self.minute = Some(0);
    }
    fn is_expecting(&self, n: i64) -> bool {
        self.hour.is_some() && self.minute.is_none() && (0..=59).contains(&n)
    }
    fn is_utc(&self) -> bool {
        self.hour == Some(0) && self.minute == Some(0)
    }
    fn is_empty(&self) -> bool {
        self.sign.is_none() && self.hour.is_none()
    }
    /// offset in seconds; `None` = local time
    fn write(&self) -> Option<i64> {
        let sign = self.sign?;
        Some(sign * (self.hour.unwrap_or(0) * 3600 + self.minute.unwrap_or(0) * 60))
    }
}

fn read_milliseconds(t: DTok) -> i64 {
    let DTok::Num(mut n, len) = t else { return -1 };
    if len == 1 {
        n *= 100;
    } else if len == 2 {
        n *= 10;
    } else if len > 3 {
        let mut l = len.min(9);
        let mut factor = 1;
        while l > 3 {
            factor *= 10;
            l -= 1;
        }
        n /= factor;
    }
    n
}

fn parse_es5(sc: &mut DateScanner, day: &mut DayC, time: &mut TimeC, tz: &mut TzC) -> DTok {
    if sc.peek().is_sign() {
        let sign_tok = sc.next_tok();
        if !sc.peek().is_fixed(6) {
            return sign_tok;
        }
        let sign = if sign_tok.is_sym('-') { -1 } else { 1 };
        let year = sc.next_tok().num();
        if sign < 0 && year == 0 {
            return sign_tok;
        }
        day.add(sign * year);
    } else if sc.peek().is_fixed(4) {
        let y = sc.next_tok().num();
        day.add(y);
    } else {
        return sc.next_tok();
    }
    if sc.skip_sym('-') {
        if !sc.peek().is_fixed(2) || !(1..=12).contains(&sc.peek().num()) {
            return sc.next_tok();
        }
        let m = sc.next_tok().num();
        day.add(m);
        if sc.skip_sym('-') {
            if !sc.peek().is_fixed(2) || !(1..=31).contains(&sc.peek().num()) {
                return sc.next_tok();
            }
            let d = sc.next_tok().num();
            day.add(d);
        }
    }
    if !matches!(sc.peek(), DTok::Word(KwType::TimeSep, _, _)) {
        if sc.peek() != DTok::End {
            return sc.next_tok();
        }
    } else {
        sc.next_tok();
        if !sc.peek().is_fixed(2) || !(0..=24).contains(&sc.peek().num()) {
            return DTok::Invalid;
        }
        let hour_is_24 = sc.peek().num() == 24;
        let h = sc.next_tok().num();
        time.add(h);
        if !sc.skip_sym(':') {
            return DTok::Invalid;
        }
        if !sc.peek().is_fixed(2)
            || !(0..=59).contains(&sc.peek().num())
            || (hour_is_24 && sc.peek().num() > 0)
        {
            return DTok::Invalid;
        }
        let m = sc.next_tok().num();
        time.add(m);
        if sc.skip_sym(':') {
            if !sc.peek().is_fixed(2)
                || !(0..=59).contains(&sc.peek().num())
                || (hour_is_24 && sc.peek().num() > 0)
            {
                return DTok::Invalid;
            }
            let s = sc.next_tok().num();
            time.add(s);
            if sc.skip_sym('.') {
                if !sc.peek().is_num() || (hour_is_24 && sc.peek().num() > 0) {
                    return DTok::Invalid;
                }
                let t = sc.next_tok();
                time.add(read_milliseconds(t));
            }
        }
        if sc.peek().is_kw_z() {
            sc.next_tok();
            tz.set(0);
        } else if sc.peek().is_sign() {
            tz.sign = Some(if sc.next_tok().is_sym('+') { 1 } else { -1 });
            if sc.peek().is_fixed(4) {
                let hm = sc.next_tok().num();
                let (hh, mm) = (hm / 100, hm % 100);
                if !(0..=23).contains(&hh) || !(0..=59).contains(&mm) {
                    return DTok::Invalid;
                }
                tz.hour = Some(hh);
                tz.minute = Some(mm);
            } else {
                if !sc.peek().is_fixed(2) || !(0..=23).contains(&sc.peek().num()) {
                    return DTok::Invalid;
                }
                tz.hour = Some(sc.next_tok().num());
                if !sc.skip_sym(':') {
                    return DTok::Invalid;
                }
                if !sc.peek().is_fixed(2) || !(0..=59).contains(&sc.peek().num()) {
                    return DTok::Invalid;
                }
                tz.minute = Some(sc.next_tok().num());
            }
        }
        if sc.peek() != DTok::End {
            return DTok::Invalid;
        }
    }
    if tz.is_empty() && time.is_empty() {
        tz.set(0);
    }
    day.iso = true;
    DTok::End
}

/// `Date.parse(s)` as V8 implements it: the ES date-time format (a date-only form
/// is UTC), then V8's legacy parser (`March 17, 2024 23:00`, `2024/03/17`,
/// `Sun Mar 17 2024 10:00:00 GMT+0100`; a missing year is 2001). Without an offset
/// a date-time is local time (the process's `TZ`), as in Node. `None` = Invalid Date.
pub fn parse_date(s: &str) -> Option<f64> {
    let mut sc = DateScanner::new(s);
    let mut day = DayC::default();
    let mut time = TimeC::default();
    let mut tz = TzC::default();
    let mut token = parse_es5(&mut sc, &mut day, &mut time, &mut tz);
    if token == DTok::Invalid {
        return None;
    }
    let mut has_read_number = day.idx > 0;
    while token != DTok::End {
        match token {
            DTok::Num(n, _) => {
                has_read_number = true;
                if sc.skip_sym(':') {
                    if sc.skip_sym(':') {
                        if !time.is_empty() {
                            return None;
                        }
                        time.add(n);
                        time.add(0);
                    } else {
                        if !time.add(n) {
                            return None;
                        }
                        if sc.peek().is_sym('.') {
                            sc.next_tok();
                        }
                    }
                } else if sc.peek().is_sym('.') && {
                    sc.next_tok();
                    time.is_expecting(n)
                } {
                    time.add(n);
                    if !sc.peek().is_num() {
                        return None;
                    }
                    let ms = read_milliseconds(sc.next_tok());
                    if ms < 0 {
                        return None;
                    }
                    time.add_final(ms);
                } else if tz.is_expecting(n) {
                    tz.minute = Some(n);
                } else if time.is_expecting(n) {
                    time.add_final(n);
                    let p = sc.peek();
                    if !(p == DTok::End || p == DTok::Ws || p.is_kw_z() || p.is_sign()) {
                        return None;
                    }
                } else {
                    if !day.add(n) {
                        return None;
                    }
                    sc.skip_sym('-');
                }
            }
            DTok::Word(ty, val, _) => {
                if ty == KwType::AmPm && !time.is_empty() {
                    time.hour_offset = Some(val);
                } else if ty == KwType::Month {
                    day.named_month = Some(val);
                    sc.skip_sym('-');
                } else if ty == KwType::TzName && has_read_number {
                    tz.set(val);
                } else {
                    if has_read_number {
                        return None;
                    }
                    if sc.peek().is_num() {
                        return None;
                    }
                }
            }
            t if t.is_sign() && (tz.is_utc() || !time.is_empty()) => {
                tz.sign = Some(if t.is_sym('+') { 1 } else { -1 });
                let (mut n, mut len) = (0, 0);
                if sc.peek().is_num() {
                    if let DTok::Num(a, b) = sc.next_tok() {
                        n = a;
                        len = b;
                    }
                }
                has_read_number = true;
                if sc.peek().is_sym(':') {
                    tz.hour = Some(n);
                    tz.minute = None;
                } else if len == 1 || len == 2 {
                    tz.hour = Some(n);
                    tz.minute = Some(0);
                } else if len == 3 || len == 4 {
                    tz.hour = Some(n / 100);
                    tz.minute = Some(n % 100);
                } else {
                    return None;
                }
            }
            t if (t.is_sign() || t.is_sym(')')) && has_read_number => return None,
            _ => {}
        }
        token = sc.next_tok();
    }
    let (y, m0, d) = day.write()?;
    let (h, mi, s, ms) = time.write()?;
    let mut t = js::make_date(y, m0, d, h, mi, s, ms);
    match tz.write() {
        Some(off) => t -= off as f64 * 1000.0,
        None => t -= local_offset_ms(t),
    }
    let t = js::time_clip(t);
    if t.is_nan() {
        None
    } else {
        Some(t)
    }
}

/// The local time zone's offset from UTC, in ms, at the local wall-clock time
/// `local_ms` (as if it were UTC); 0 outside chrono's range. In a gap (spring
/// forward) the earlier offset is used, as V8 does.
fn local_offset_ms(local_ms: f64) -> f64 {
    use chrono::{Local, Offset, TimeZone};
    let Some(naive) = chrono::DateTime::from_timestamp_millis(local_ms as i64) else {
        return 0.0;
    };
    let naive = naive.naive_utc();
    let offset = match Local.offset_from_local_datetime(&naive) {
        chrono::LocalResult::Single(o) => o,
        chrono::LocalResult::Ambiguous(a, _) => a,
        chrono::LocalResult::None => Local.offset_from_utc_datetime(&naive),
    };
    f64::from(offset.fix().local_minus_utc()) * 1000.0
}

#[cfg(test)]
mod tests {
    use crate::engine::js;

    /// The expectations below were taken from Node with TZ=UTC (as `npm test` runs).
    fn utc() {
        std::env::set_var("TZ", "UTC");
    }

    #[test]
    fn date_parser() {
        utc();
        let p = |s: &str| js::parse_date(s).map(js::date_to_iso);
        assert_eq!(
            p("2024-02-29T12:34:56.789Z").as_deref(),
            Some("2024-02-29T12:34:56.789Z")
        );
        assert_eq!(p("2024").as_deref(), Some("2024-01-01T00:00:00.000Z"));
        assert_eq!(p("2024-03").as_deref(), Some("2024-03-01T00:00:00.000Z"));
        assert_eq!(
            p("+002024-03-01").as_deref(),
            Some("2024-03-01T00:00:00.000Z")
        );
        assert_eq!(
            p("2024-02-29T12:34").as_deref(),
            Some("2024-02-29T12:34:00.000Z")
        );
        assert_eq!(
            p("2024-02-29T24:00").as_deref(),
            Some("2024-03-01T00:00:00.000Z")
        );
        assert_eq!(
            p("2024-02-29T12:34:56.1+0530").as_deref(),
            Some("2024-02-29T07:04:56.100Z")
        );
        assert_eq!(
            p("2024-02-29 12:34:56").as_deref(),
            Some("2024-02-29T12:34:56.000Z")
        );
        assert_eq!(p("2023-02-30").as_deref(), Some("2023-03-02T00:00:00.000Z"));
        assert_eq!(
            p("3/4/2021 1:05 pm").as_deref(),
            Some("2021-03-04T13:05:00.000Z")
        );
        assert_eq!(
            p("December 17, 1995 03:24:00").as_deref(),
            Some("1995-12-17T03:24:00.000Z")
        );
        assert_eq!(
            p("-000001-01-01T00:00:00Z").as_deref(),
            Some("-000001-01-01T00:00:00.000Z")
        );
        assert_eq!(p("2024-13-01"), None);
        assert_eq!(p("2024-02-29T25:00"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("hello"), None);
        assert_eq!(p("2024-02-29Tfoo"), None);
        assert_eq!(
            js::date_to_string(0.0),
            "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
    }

    #[test]
    fn legacy_forms_used_by_partition_dates() {
        utc();
        let day = |s: &str| js::parse_date(s).map(|ms| js::date_to_iso(ms)[..10].to_string());
        // maxlength:10 of "March 17, 2024 23:00" is "March 17, ": no year -> 2001, as in V8
        assert_eq!(day("March 17, ").as_deref(), Some("2001-03-17"));
        assert_eq!(
            day("2024-01-15T10:30:00+03:00").as_deref(),
            Some("2024-01-15")
        );
        assert_eq!(
            day("2024-01-15T01:30:00+03:00").as_deref(),
            Some("2024-01-14")
        );
        assert_eq!(
            day("Sun Mar 17 2024 23:30:00 GMT-0100").as_deref(),
            Some("2024-03-18")
        );
        assert_eq!(day("2024/03/17").as_deref(), Some("2024-03-17"));
        assert_eq!(day("03/17/2024").as_deref(), Some("2024-03-17"));
        assert_eq!(day("17 March 2024").as_deref(), Some("2024-03-17"));
        assert_eq!(day("  2024-03-17  ").as_deref(), Some("2024-03-17"));
        assert_eq!(day("not-a-date"), None);
        assert_eq!(day("2024-13-01"), None);
    }

    #[test]
    fn date_values() {
        utc();
        let v = js::date_value(86_400_000.0);
        assert_eq!(
            v,
            serde_json::json!({ "$date": "1970-01-02T00:00:00.000Z" })
        );
        assert!(js::is_date(&v) && js::is_valid_date(&v));
        assert!(js::is_date(&serde_json::json!({ "$date": null })));
        assert!(!js::is_valid_date(&serde_json::json!({ "$date": null })));
        assert!(!js::is_date(&serde_json::json!({ "$date": "x", "y": 1 })));
        assert_eq!(js::date_ms(&v), Some(86_400_000.0));
        assert_eq!(
            js::date_value(f64::NAN),
            serde_json::json!({ "$date": null })
        );
        assert_eq!(js::date_ms(&serde_json::json!({ "$date": null })), None);
        assert!(js::time_clip(8.64e15 + 1.0).is_nan());
        assert_eq!(js::date_to_iso(-1.0), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            js::date_to_iso(js::make_date(10000, 0, 1, 0, 0, 0, 0)),
            "+010000-01-01T00:00:00.000Z"
        );
    }
}
