import csv


def load_scores(path):
    """Read name,score,score,... lines into {name: [scores]}."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if row:
                out[row[0]] = [float(x) for x in row[1:]]
    return out


def letter(avg):
    for cutoff, grade in ((90, "A"), (80, "B"), (70, "C"), (60, "D")):
        if avg >= cutoff:
            return grade
    return "F"


def summarize(scores):
    rows = []
    for name, marks in scores.items():
        avg = round(sum(marks) / len(marks), 1)
        rows.append((name, avg, letter(avg)))
    return rows
