"""code_analyze: what a student wrote inside the TODO blocks, as summary.txt (ships to students)."""
