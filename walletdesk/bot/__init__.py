"""The AI first line: matching customer questions to the knowledge base, or handing off."""
