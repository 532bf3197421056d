//! Spoken and written numbers in a token list: "500", "7.2", "five hundred", "twenty five",
//! "one and a half", "point five", "a half".
//!
//! Input: tokens from [`super::normalize::tokens`] and a start index. Output: the value and the index just
//! past the number. Reference: ordinary English number words (cardinals to the thousands).
//! Limits: no ordinals, no "a couple"; "one" is read as a number wherever it stands.

use super::normalize::Token;

fn unit_word(w: &str) -> Option<f64> {
    const SMALL: [&str; 20] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ];
    const TENS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    if let Some(i) = SMALL.iter().position(|s| *s == w) {
        return Some(i as f64);
    }
    TENS.iter().position(|s| *s == w).map(|i| (i as f64 + 2.0) * 10.0)
}

/// Reads one number starting at `toks[i]`.
pub fn parse(toks: &[Token], i: usize) -> Option<(f64, usize)> {
    let w = |j: usize| toks.get(j).map(|t| t.lower.as_str()).unwrap_or("");
    if let Ok(v) = w(i).parse::<f64>() {
        return Some(fractions(toks, i + 1, v));
    }
    if w(i) == "half" || (w(i) == "a" && w(i + 1) == "half") {
        let n = if w(i) == "a" { i + 2 } else { i + 1 };
        return Some((0.5, n));
    }
    let mut total = 0.0;
    let mut current = 0.0;
    let mut j = i;
    let mut any = false;
    loop {
        let word = w(j);
        if let Some(v) = unit_word(word) {
            current += v;
        } else if word == "hundred" && any {
            current *= 100.0;
        } else if word == "thousand" && any {
            total += current * 1000.0;
            current = 0.0;
        } else if word == "and" && any && unit_word(w(j + 1)).is_some() && w(j - 1) == "hundred" {
            // "one hundred and twenty"
        } else {
            break;
        }
        any = true;
        j += 1;
    }
    if !any {
        return None;
    }
    Some(fractions(toks, j, total + current))
}

/// "… and a half", "… point five" after a whole number.
fn fractions(toks: &[Token], j: usize, v: f64) -> (f64, usize) {
    let w = |k: usize| toks.get(k).map(|t| t.lower.as_str()).unwrap_or("");
    if w(j) == "and" && w(j + 1) == "a" && w(j + 2) == "half" {
        return (v + 0.5, j + 3);
    }
    if w(j) == "point" {
        if let Some(d) = unit_word(w(j + 1)).filter(|d| *d < 10.0) {
            return (v + d / 10.0, j + 2);
        }
    }
    (v, j)
}

#[cfg(test)]
mod tests {
    use super::super::normalize::tokens;
    use super::*;

    fn read(s: &str) -> Option<(f64, usize)> {
        parse(&tokens(s), 0)
    }

    #[test]
    fn spoken_and_written_numbers() {
        assert_eq!(read("five hundred milligrams"), Some((500.0, 2)));
        assert_eq!(read("twenty five mg"), Some((25.0, 2)));
        assert_eq!(read("one hundred and twenty over eighty"), Some((120.0, 4)));
        assert_eq!(read("two thousand five hundred units"), Some((2500.0, 4)));
        assert_eq!(read("one and a half tablets"), Some((1.5, 4)));
        assert_eq!(read("zero point five"), Some((0.5, 3)));
        assert_eq!(read("7.2 percent"), Some((7.2, 1)));
        assert_eq!(read("a half tablet"), Some((0.5, 2)));
        assert_eq!(read("hundred"), None);
        assert_eq!(read("pain"), None);
    }
}
