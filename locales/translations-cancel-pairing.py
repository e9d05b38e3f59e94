# The pairing code withdrawn on the kiosk's back-office panel (its button and message),
# machine-assisted: a native speaker must review them.
#   python3 locales/extract.py locales/translations-cancel-pairing.py
T = {
    "Cancel pairing": {
        "fr": "Annuler l'association", "es": "Cancelar la vinculación",
        "de": "Kopplung abbrechen", "pl": "Anuluj parowanie",
        "ro": "Anulează asocierea", "pt": "Cancelar a associação",
        "ar": "إلغاء الإقران",
    },
    "Pairing cancelled: the code that was shown no longer pairs a back office.": {
        "fr": "Association annulée : le code affiché n'associe plus aucun secrétariat.",
        "es": "Vinculación cancelada: el código que se mostró ya no vincula ninguna administración.",
        "de": "Kopplung abgebrochen: Der angezeigte Code koppelt keine Verwaltung mehr.",
        "pl": "Parowanie anulowane: pokazany kod nie sparuje już żadnego biura.",
        "ro": "Asociere anulată: codul afișat nu mai asociază niciun birou.",
        "pt": "Associação cancelada: o código mostrado já não associa nenhuma receção.",
        "ar": "أُلغي الإقران: لم يعد الرمز الذي عُرض يقرن أي مكتب إداري.",
    },
}
