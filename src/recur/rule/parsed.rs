//! Rules read once for many series: a listing reads many series, and most share
//! their rule's text with others (`FREQ=YEARLY`, `FREQ=WEEKLY;BYDAY=MO`, …).

use std::collections::HashMap;

use super::{Rule, RuleError};

/// Rules already read, by their text.
#[derive(Default)]
pub struct ParsedRules {
    parsed: HashMap<String, Result<Rule, RuleError>>,
}

impl ParsedRules {
    /// Texts kept at most (then the ones kept are let go: memory stays bounded).
    const ROOM: usize = 4096;

    /// [`Rule::parse`] of `text`, read once.
    pub fn parse(&mut self, text: &str) -> Result<Rule, RuleError> {
        if let Some(read) = self.parsed.get(text) {
            return read.clone();
        }
        let read = Rule::parse(text);
        if self.parsed.len() >= Self::ROOM {
            self.parsed.clear();
        }
        self.parsed.insert(text.to_string(), read.clone());
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_read_again_is_the_rule_read_once() {
        let mut rules = ParsedRules::default();
        let texts = [
            "FREQ=WEEKLY;BYDAY=MO,WE",
            "FREQ=YEARLY",
            "FREQ=WEEKLY;BYDAY=MO,WE",
            "BYDAY=MO",
            "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270101T000000Z",
            "BYDAY=MO",
        ];
        for text in texts {
            assert_eq!(rules.parse(text), Rule::parse(text), "{text}");
        }
        assert_eq!(rules.parsed.len(), 4);
        for n in 0..ParsedRules::ROOM + 10 {
            let text = format!("FREQ=DAILY;COUNT={}", n + 1);
            assert_eq!(rules.parse(&text), Rule::parse(&text));
        }
        assert!(rules.parsed.len() <= ParsedRules::ROOM);
    }
}
