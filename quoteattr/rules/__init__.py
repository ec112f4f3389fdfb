"""The Arabic rule layer: quotation marks, speech cues, content spans and speakers."""
