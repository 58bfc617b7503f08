# JPQD end to end on DistilBERT (tests/integration/family_jpqd.bash), reading text with the shipped
# bert-base-uncased WordPiece vocabulary, as DistilBERT's checkpoints do.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/family_jpqd.bash"
family_jpqd distilbert distilbert-jpqd.json ""
