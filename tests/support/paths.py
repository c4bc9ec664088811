from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SEED = CONTENT / "2024-ai-trends.md"
REAL_WORLD = ROOT / "tests" / "fixtures" / "real-world"
