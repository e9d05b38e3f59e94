# The kiosk's answer when a manager sets the exchange folder on its back-office panel (until
# session 64 it said nothing). Machine-assisted: a native speaker must review them.
#   python3 locales/extract.py locales/translations-exchange-folder-saved.py
T = {
    "Saved: pairing answers, forms and receipts now go through {}.": {
        "fr": "Enregistré : les réponses d'appairage, les formulaires et les accusés de réception passent désormais par {}.",
        "es": "Guardado: las respuestas de emparejamiento, los formularios y los acuses de recibo pasan ahora por {}.",
        "de": "Gespeichert: Kopplungsantworten, Formulare und Empfangsbestätigungen laufen jetzt über {}.",
        "pl": "Zapisano: odpowiedzi parowania, formularze i potwierdzenia odbioru przechodzą teraz przez {}.",
        "ro": "Salvat: răspunsurile de asociere, formularele și confirmările de primire trec acum prin {}.",
        "pt": "Guardado: as respostas de emparelhamento, os formulários e os recibos passam agora por {}.",
        "ar": "حُفظ: تمرّ ردود الاقتران والنماذج والإيصالات الآن عبر {}.",
    },
}
