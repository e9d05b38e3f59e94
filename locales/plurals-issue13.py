# Plural forms for the desk strings that said "record(s)" (issue 13), for extract.py:
#   python3 locales/extract.py locales/plurals-issue13.py
# fr/es/de are applied here; pl/ro/pt/ar are for the catalogues being added alongside (run the
# command once those exist; a translator should review them). Forms follow each language's
# Plural-Forms order (pl/ro: one, few, many; ar: zero, one, two, few, many, other).
WAL_FR = " ; d'anciennes copies restent dans le journal WAL jusqu'à la fermeture de l'autre fenêtre."
WAL_ES = "; quedan copias antiguas en el registro WAL hasta que se cierre la otra ventana."
WAL_DE = "; alte Kopien bleiben im WAL-Protokoll, bis das andere Fenster geschlossen wird."
WAL_PL = "; stare kopie pozostają w dzienniku WAL do zamknięcia drugiego okna."
WAL_RO = "; copii vechi rămân în jurnalul WAL până se închide cealaltă fereastră."
WAL_PT = "; ficam cópias antigas no registo WAL até a outra janela fechar."
WAL_AR = "؛ تبقى نسخ قديمة في سجل WAL حتى تُغلق النافذة الأخرى."

def retention(end_fr, end_es, end_de, end_pl, end_ro, end_pt, end_ar):
    return {
        "fr": ["Secrétariat ouvert. Contrôle de conservation : {} dossier arrivé au terme de sa conservation effacé" + end_fr,
               "Secrétariat ouvert. Contrôle de conservation : {} dossiers arrivés au terme de leur conservation effacés" + end_fr],
        "es": ["Administración abierta. Control de conservación: {} expediente con el plazo de conservación vencido suprimido" + end_es,
               "Administración abierta. Control de conservación: {} expedientes con el plazo de conservación vencido suprimidos" + end_es],
        "de": ["Verwaltung geöffnet. Aufbewahrungsprüfung: {} Akte nach Ablauf der Aufbewahrungsfrist gelöscht" + end_de,
               "Verwaltung geöffnet. Aufbewahrungsprüfung: {} Akten nach Ablauf der Aufbewahrungsfrist gelöscht" + end_de],
        "pl": ["Panel otwarty. Kontrola okresu przechowywania: usunięto {} kartotekę po upływie okresu przechowywania" + end_pl,
               "Panel otwarty. Kontrola okresu przechowywania: usunięto {} kartoteki po upływie okresu przechowywania" + end_pl,
               "Panel otwarty. Kontrola okresu przechowywania: usunięto {} kartotek po upływie okresu przechowywania" + end_pl],
        "ro": ["Recepția deschisă. Verificarea păstrării: {} dosar cu perioada de păstrare expirată a fost șters" + end_ro,
               "Recepția deschisă. Verificarea păstrării: {} dosare cu perioada de păstrare expirată au fost șterse" + end_ro,
               "Recepția deschisă. Verificarea păstrării: {} de dosare cu perioada de păstrare expirată au fost șterse" + end_ro],
        "pt": ["Receção aberta. Verificação de conservação: {} processo com o prazo de conservação terminado apagado" + end_pt,
               "Receção aberta. Verificação de conservação: {} processos com o prazo de conservação terminado apagados" + end_pt],
        "ar": ["فُتح المكتب. فحص مدة الحفظ: لم يُمحَ أي سجل ({})" + end_ar,
               "فُتح المكتب. فحص مدة الحفظ: مُحي سجل واحد ({}) انتهت مدة حفظه" + end_ar,
               "فُتح المكتب. فحص مدة الحفظ: مُحي سجلان ({}) انتهت مدة حفظهما" + end_ar,
               "فُتح المكتب. فحص مدة الحفظ: مُحيت {} سجلات انتهت مدة حفظها" + end_ar,
               "فُتح المكتب. فحص مدة الحفظ: مُحي {} سجلًا انتهت مدة حفظه" + end_ar,
               "فُتح المكتب. فحص مدة الحفظ: مُحي {} سجل انتهت مدة حفظه" + end_ar],
    }

T = {
    "Desk open. Retention check: {} record past its retention period erased; old copies remain in the WAL until the other window closes.":
        retention(WAL_FR, WAL_ES, WAL_DE, WAL_PL, WAL_RO, WAL_PT, WAL_AR),
    "Desk open. Retention check: {} record past its retention period erased.":
        retention(".", ".", ".", ".", ".", ".", "."),
    "{} found.": {
        "fr": ["{} trouvé.", "{} trouvés."],
        "es": ["{} encontrado.", "{} encontrados."],
        "de": ["{} gefunden.", "{} gefunden."],
        "pl": ["Znaleziono {}.", "Znaleziono {}.", "Znaleziono {}."],
        "ro": ["{} găsit.", "{} găsiți.", "{} de găsiți."],
        "pt": ["{} encontrado.", "{} encontrados."],
        "ar": ["لم يُعثر على أحد ({}).", "عُثر على واحد ({}).", "عُثر على اثنين ({}).", "عُثر على {} أشخاص.", "عُثر على {} شخصًا.", "عُثر على {} شخص."],
    },
    "Wrong PIN ({} wrong so far).": {
        "fr": ["Code PIN erroné ({} erreur jusqu'ici).", "Code PIN erroné ({} erreurs jusqu'ici)."],
        "es": ["PIN incorrecto ({} fallo hasta ahora).", "PIN incorrecto ({} fallos hasta ahora)."],
        "de": ["Falsche PIN (bisher {} falsch).", "Falsche PIN (bisher {} falsch)."],
        "pl": ["Błędny PIN ({} błąd do tej pory).", "Błędny PIN ({} błędy do tej pory).", "Błędny PIN ({} błędów do tej pory)."],
        "ro": ["PIN greșit ({} greșeală până acum).", "PIN greșit ({} greșeli până acum).", "PIN greșit ({} de greșeli până acum)."],
        "pt": ["PIN errado ({} erro até agora).", "PIN errado ({} erros até agora)."],
        "ar": ["رمز PIN خاطئ ({} أخطاء حتى الآن).", "رمز PIN خاطئ (خطأ واحد حتى الآن: {}).", "رمز PIN خاطئ (خطآن حتى الآن: {}).", "رمز PIN خاطئ ({} أخطاء حتى الآن).", "رمز PIN خاطئ ({} خطأً حتى الآن).", "رمز PIN خاطئ ({} خطأ حتى الآن)."],
    },
    "{} patient on the list: {}": {
        "fr": ["{} patient sur la liste : {}", "{} patients sur la liste : {}"],
        "es": ["{} paciente en la lista: {}", "{} pacientes en la lista: {}"],
        "de": ["{} Patient auf der Liste: {}", "{} Patienten auf der Liste: {}"],
        "pl": ["{} pacjent na liście: {}", "{} pacjentów na liście: {}", "{} pacjentów na liście: {}"],
        "ro": ["{} pacient pe listă: {}", "{} pacienți pe listă: {}", "{} de pacienți pe listă: {}"],
        "pt": ["{} paciente na lista: {}", "{} pacientes na lista: {}"],
        "ar": ["{} مريض في القائمة: {}", "مريض واحد ({}) في القائمة: {}", "مريضان ({}) في القائمة: {}", "{} مرضى في القائمة: {}", "{} مريضًا في القائمة: {}", "{} مريض في القائمة: {}"],
    },
    "{} used records outside opening hours {} time on {}": {
        "fr": ["{} a consulté des dossiers hors des heures d'ouverture {} fois le {}", "{} a consulté des dossiers hors des heures d'ouverture {} fois le {}"],
        "es": ["{} usó expedientes fuera del horario {} vez el {}", "{} usó expedientes fuera del horario {} veces el {}"],
        "de": ["{} hat Akten außerhalb der Öffnungszeiten {} Mal am {} genutzt", "{} hat Akten außerhalb der Öffnungszeiten {} Mal am {} genutzt"],
        "pl": ["{} korzystał(a) z kartotek poza godzinami otwarcia {} raz dnia {}", "{} korzystał(a) z kartotek poza godzinami otwarcia {} razy dnia {}", "{} korzystał(a) z kartotek poza godzinami otwarcia {} razy dnia {}"],
        "ro": ["{} a folosit dosare în afara programului de {} dată pe {}", "{} a folosit dosare în afara programului de {} ori pe {}", "{} a folosit dosare în afara programului de {} de ori pe {}"],
        "pt": ["{} usou processos fora do horário {} vez em {}", "{} usou processos fora do horário {} vezes em {}"],
        "ar": ["استخدم {} السجلات خارج ساعات العمل {} مرة في {}"] * 6,
    },
}
