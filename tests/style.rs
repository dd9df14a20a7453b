//! The style sheet is one file many people edit: a block left open by a merge silently moves
//! every later rule inside it (a phone-only or print-only rule), so check that blocks close.

#![cfg(not(target_arch = "wasm32"))]

#[test]
fn every_block_of_the_style_sheet_is_closed_where_it_should_be() {
    let css = include_str!("../style/main.css");
    let mut depth = 0_i32;
    let mut in_comment = false;
    for (number, line) in css.lines().enumerate() {
        let mut rest = line;
        while !rest.is_empty() {
            if in_comment {
                match rest.find("*/") {
                    Some(end) => {
                        in_comment = false;
                        rest = &rest[end + 2..];
                    }
                    None => break,
                }
                continue;
            }
            let (code, next) = match rest.find("/*") {
                Some(start) => {
                    in_comment = true;
                    (&rest[..start], &rest[start + 2..])
                }
                None => (rest, ""),
            };
            depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
            assert!(depth >= 0, "line {}: a block closed twice", number + 1);
            rest = next;
        }
        // A rule at the start of a line (not indented) is meant at the top level.
        let starts_rule = line
            .chars()
            .next()
            .is_some_and(|c| c == '.' || c == '#' || c.is_ascii_alphabetic());
        if starts_rule && line.contains('{') {
            let before =
                depth - line.matches('{').count() as i32 + line.matches('}').count() as i32;
            assert_eq!(
                before,
                0,
                "line {}: `{line}` is inside an open block",
                number + 1
            );
        }
    }
    assert_eq!(depth, 0, "a block is never closed");
}
