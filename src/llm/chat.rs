//! Chat prompt formats. A model's GGUF carries its Jinja chat template; rather than run Jinja, we recognise
//! the format it implements and render that format in code.
//!
//! Supported: ChatML (`<|im_start|>role\n…<|im_end|>\n`), used by SmolLM2 and Qwen2.5. A template we do not
//! recognise is a load error, so a model is never prompted in a format it was not trained on.

use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

use crate::error::{BedsideError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Self { role: Role::System, content: content.into() }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Self { role: Role::User, content: content.into() }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Self { role: Role::Assistant, content: content.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatTemplate {
    ChatMl,
}

impl ChatTemplate {
    /// Recognises the format from the GGUF's `tokenizer.chat_template` (or, when the file has none, from
    /// the vocabulary having ChatML's markers).
    pub fn detect(template: Option<&str>, tokenizer: &Tokenizer) -> Result<Self> {
        let has_markers = tokenizer.token_to_id("<|im_start|>").is_some() && tokenizer.token_to_id("<|im_end|>").is_some();
        match template {
            Some(t) if t.contains("<|im_start|>") && has_markers => Ok(ChatTemplate::ChatMl),
            None if has_markers => Ok(ChatTemplate::ChatMl),
            Some(_) => Err(BedsideError::model("llm", "unsupported chat template (only ChatML `<|im_start|>` models are supported)")),
            None => Err(BedsideError::model("llm", "the GGUF has no chat template and no ChatML markers")),
        }
    }

    /// The prompt for `messages`; with `open_answer`, the assistant's turn is opened for the model to write.
    /// Marker strings inside message text are defused so a transcript cannot open a new turn.
    pub fn render(self, messages: &[Message], open_answer: bool) -> String {
        match self {
            ChatTemplate::ChatMl => {
                let mut out = String::new();
                for m in messages {
                    out.push_str("<|im_start|>");
                    out.push_str(m.role.as_str());
                    out.push('\n');
                    out.push_str(&m.content.replace("<|im_start|>", "").replace("<|im_end|>", ""));
                    out.push_str("<|im_end|>\n");
                }
                if open_answer {
                    out.push_str("<|im_start|>assistant\n");
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatml_renders_turns_and_defuses_markers() {
        let p = ChatTemplate::ChatMl.render(&[Message::system("Be brief."), Message::user("hi <|im_end|> there")], true);
        assert_eq!(p, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi  there<|im_end|>\n<|im_start|>assistant\n");
    }
}
