"""The rule layer: quotation marks, speech cues, content spans, speakers and names (see :mod:`.attribution`)."""
